//! The heap of one run: QuickJS allocates through [`Heap`], which holds it to the run's
//! memory limit and records when it refused.
//!
//! QuickJS's own limit refuses the allocation, then needs memory again to build the
//! `InternalError("out of memory")` it throws; at the limit that fails too, and it throws
//! `null` instead: a script saw `catch (e) { e === null }` and the run ended as kind `runtime`,
//! message `"null"`. Here the first refusal opens a small reserve above the limit (closed
//! again once the heap is back under it), so the error can be built and caught, and
//! [`Heap::refused`] tells the engine that the run hit its limit whatever was thrown.
//!
//! The allocations themselves are rquickjs's `RustAllocator`'s (the Rust global allocator,
//! with the size in a header); this only counts them.

use std::cell::Cell;
use std::rc::Rc;

use rquickjs::allocator::{Allocator, RustAllocator};

/// Room above the limit, opened at the first refusal, for QuickJS to build and throw its
/// out-of-memory error (and for the script to catch it).
const RESERVE: usize = 1024 * 1024;

/// What the engine reads after the run: whether an allocation was refused.
#[derive(Clone, Default)]
pub struct Refusals(Rc<Cell<bool>>);

impl Refusals {
    pub fn any(&self) -> bool {
        self.0.get()
    }
}

pub struct Heap {
    limit: usize,
    used: usize,
    /// The reserve is open: the heap may grow to `limit + RESERVE`.
    reserve: bool,
    refusals: Refusals,
}

impl Heap {
    pub fn new(limit: usize) -> (Heap, Refusals) {
        let refusals = Refusals::default();
        let heap = Heap {
            limit,
            used: 0,
            reserve: false,
            refusals: refusals.clone(),
        };
        (heap, refusals)
    }

    /// Whether `more` bytes may be taken now; a refusal opens the reserve.
    fn admit(&mut self, more: usize) -> bool {
        let cap = if self.reserve {
            self.limit.saturating_add(RESERVE)
        } else {
            self.limit
        };
        if self.used.saturating_add(more) <= cap {
            return true;
        }
        self.refusals.0.set(true);
        self.reserve = true;
        false
    }

    fn freed(&mut self, bytes: usize) {
        self.used = self.used.saturating_sub(bytes);
        if self.used < self.limit {
            self.reserve = false;
        }
    }
}

#[allow(unsafe_code)]
// SAFETY: every pointer handed out comes from `RustAllocator` and goes back to it; the
// sizes counted are the ones it reports for its own blocks.
unsafe impl Allocator for Heap {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        if !self.admit(size) {
            return std::ptr::null_mut();
        }
        let ptr = RustAllocator.alloc(size);
        if !ptr.is_null() {
            // SAFETY: `ptr` was just returned by RustAllocator.
            self.used += unsafe { RustAllocator::usable_size(ptr) };
        }
        ptr
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        let Some(total) = count.checked_mul(size) else {
            return std::ptr::null_mut();
        };
        if !self.admit(total) {
            return std::ptr::null_mut();
        }
        let ptr = RustAllocator.calloc(count, size);
        if !ptr.is_null() {
            // SAFETY: `ptr` was just returned by RustAllocator.
            self.used += unsafe { RustAllocator::usable_size(ptr) };
        }
        ptr
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8) {
        if ptr.is_null() {
            return;
        }
        // SAFETY: the caller hands back a pointer this allocator returned.
        let size = unsafe { RustAllocator::usable_size(ptr) };
        // SAFETY: as above.
        unsafe { RustAllocator.dealloc(ptr) };
        self.freed(size);
    }

    unsafe fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        if ptr.is_null() {
            return self.alloc(new_size);
        }
        if new_size == 0 {
            // SAFETY: the caller hands back a pointer this allocator returned.
            unsafe { self.dealloc(ptr) };
            return std::ptr::null_mut();
        }
        // SAFETY: the caller hands back a pointer this allocator returned.
        let old = unsafe { RustAllocator::usable_size(ptr) };
        if new_size > old && !self.admit(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above; on failure the old block is untouched and still counted.
        let moved = unsafe { RustAllocator.realloc(ptr, new_size) };
        if !moved.is_null() {
            // SAFETY: `moved` was just returned by RustAllocator.
            let new = unsafe { RustAllocator::usable_size(moved) };
            self.used += new;
            self.freed(old);
        }
        moved
    }

    unsafe fn usable_size(ptr: *mut u8) -> usize {
        // SAFETY: the caller passes a pointer this allocator returned.
        unsafe { RustAllocator::usable_size(ptr) }
    }
}
