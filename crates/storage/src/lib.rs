//! Object storage for reel: local paths, file:// and s3:// behind one interface
