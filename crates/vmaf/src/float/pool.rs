//! Per-thread reuse of frame-sized f32 buffers.
//!
//! Every frame needs a few dozen picture-sized intermediates. Freshly
//! allocated, each is mapped and zeroed page by page by the OS, which cost
//! about a quarter of the float extractors' time. A [`Buf`] returns its
//! allocation to a small pool of its thread when dropped, and the next frame
//! on that thread takes it back.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, DerefMut};

/// Most spare buffers kept per thread, and most bytes they may hold.
const MAX_SPARE: usize = 48;
const MAX_SPARE_BYTES: usize = 256 << 20;
/// Smaller buffers are cheap to allocate and not worth pooling.
const MIN_POOLED: usize = 16 << 10;

thread_local! {
    static SPARE: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
}

/// A vector with room for `len` samples, from this thread's pool when it
/// has one large enough (the smallest such). Its contents are left over
/// from earlier use.
fn take(len: usize) -> Vec<f32> {
    if len < MIN_POOLED {
        return Vec::with_capacity(len);
    }
    let reused = SPARE.with(|s| {
        let mut s = s.borrow_mut();
        let best = s
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= len)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(i, _)| i);
        best.map(|i| s.swap_remove(i))
    });
    reused.unwrap_or_else(|| Vec::with_capacity(len))
}

fn give_back(v: Vec<f32>) {
    if v.capacity() < MIN_POOLED {
        return;
    }
    // `try_with`: a buffer dropped while the thread shuts down is just freed.
    let _ = SPARE.try_with(|s| {
        let mut s = s.borrow_mut();
        let held: usize = s.iter().map(|b| b.capacity() * 4).sum();
        if s.len() < MAX_SPARE && held + v.capacity() * 4 <= MAX_SPARE_BYTES {
            s.push(v);
        }
    });
}

/// An f32 buffer whose allocation goes back to its thread's pool on drop.
#[derive(Clone, PartialEq, Default)]
pub(crate) struct Buf(Vec<f32>);

impl Buf {
    /// `len` samples of unspecified value (left over from an earlier frame),
    /// for a buffer the caller overwrites entirely: saves zeroing it.
    pub fn scratch(len: usize) -> Self {
        let mut v = take(len);
        v.truncate(len);
        v.resize(len, 0.0);
        Buf(v)
    }
}

impl FromIterator<f32> for Buf {
    fn from_iter<I: IntoIterator<Item = f32>>(iter: I) -> Self {
        Buf(iter.into_iter().collect())
    }
}

impl From<Vec<f32>> for Buf {
    fn from(v: Vec<f32>) -> Self {
        Buf(v)
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        give_back(std::mem::take(&mut self.0));
    }
}

impl Deref for Buf {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        &self.0
    }
}

impl DerefMut for Buf {
    fn deref_mut(&mut self) -> &mut [f32] {
        &mut self.0
    }
}

impl fmt::Debug for Buf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Buf({} samples)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_reused() {
        let mut a = Buf::scratch(100_000);
        a[5] = 3.0;
        let ptr = a.as_ptr();
        drop(a);
        let b = Buf::scratch(90_000);
        assert_eq!(b.as_ptr(), ptr);
        assert_eq!(b.len(), 90_000);
        let c = Buf::scratch(200_000);
        assert_eq!(c.len(), 200_000);
        assert_ne!(c.as_ptr(), ptr);
    }

    #[test]
    fn small_buffers_are_plain() {
        let b: Buf = [1.0, 2.0, 3.0].into_iter().collect();
        assert_eq!(&b[..], &[1.0, 2.0, 3.0]);
    }
}
