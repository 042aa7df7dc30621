//! Source inspection: streams, frame count, shots, complexity, black/frozen spans, crop
