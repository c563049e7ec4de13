//! A run's wall-clock deadline, which stops while the run waits for something that is not
//! the script's doing (a person approving a tool call): the time paused is added to it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Cheap to clone; clones share their pauses.
#[derive(Debug, Clone)]
pub struct Deadline {
    base: Instant,
    state: Arc<Mutex<Paused>>,
}

#[derive(Debug, Default)]
struct Paused {
    /// Time spent in finished pauses.
    total: Duration,
    /// Pauses open now (they may overlap), and since when.
    open: usize,
    since: Option<Instant>,
}

impl Deadline {
    pub fn new(at: Instant) -> Deadline {
        Deadline {
            base: at,
            state: Arc::default(),
        }
    }

    /// When the run must end, as of now (a pause in progress keeps moving it).
    pub fn at(&self) -> Instant {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let open = state.since.map_or(Duration::ZERO, |since| since.elapsed());
        self.base + state.total + open
    }

    pub fn passed(&self) -> bool {
        Instant::now() >= self.at()
    }

    /// Stops the clock until the returned guard is dropped.
    pub fn pause(&self) -> Pause {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.open == 0 {
            state.since = Some(Instant::now());
        }
        state.open += 1;
        Pause {
            state: self.state.clone(),
        }
    }
}

/// An open pause of a [`Deadline`].
pub struct Pause {
    state: Arc<Mutex<Paused>>,
}

impl Drop for Pause {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open -= 1;
        if state.open == 0
            && let Some(since) = state.since.take()
        {
            state.total += since.elapsed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_pauses_count_once_and_clones_see_them() {
        let deadline = Deadline::new(Instant::now() + Duration::from_millis(30));
        let clone = deadline.clone();
        let first = deadline.pause();
        std::thread::sleep(Duration::from_millis(20));
        let second = clone.pause();
        std::thread::sleep(Duration::from_millis(40));
        assert!(!clone.passed(), "paused: the deadline moves with the clock");
        drop(first);
        std::thread::sleep(Duration::from_millis(10));
        drop(second);
        let paused = deadline.state.lock().unwrap().total;
        assert!(paused >= Duration::from_millis(70), "{paused:?}");
        assert!(
            paused < Duration::from_millis(140),
            "counted once: {paused:?}"
        );
    }
}
