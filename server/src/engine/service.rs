//! A long-lived engine for trusted JavaScript services: the embedded TypeScript checker.
//!
//! Unlike a script's engine (fresh per run, see the parent module), a [`Service`] keeps one
//! runtime and context for its whole life, so what it parsed stays warm. It loads a module
//! from precompiled bytecode, gives the service its data files as a global object, evaluates
//! its glue script, and then answers [`Service::call`]: a global function called with one
//! string, answering with one string. Each call runs under a deadline and a cancel flag; the
//! runtime has a memory limit. A cancelled call is given [`CANCEL_GRACE`] to stop at one of
//! the glue's own safe points (it asks the global `codemodeCancelled()`) before the interrupt
//! handler stops it wherever it is. After a [`Fault`] that was not such a clean stop
//! ([`Service::sound`]) the service's state is not to be trusted, and its owner drops it.
//!
//! Blocking and `!Send`: it lives on its owner's thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use rquickjs::{Context, Ctx, Function, Module, Object, Runtime, Value};

use super::describe;

/// Why a call gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The cancel flag was set.
    Cancelled,
    /// The deadline passed.
    Timeout,
    /// The runtime's memory limit was reached.
    OutOfMemory,
    /// The service recursed deeper than its stack allows.
    StackOverflow,
    /// The service threw, or could not be set up.
    Failed(String),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Cancelled => f.write_str("cancelled"),
            Fault::Timeout => f.write_str("ran out of time"),
            Fault::OutOfMemory => f.write_str("ran out of memory"),
            Fault::StackOverflow => f.write_str("ran out of stack"),
            Fault::Failed(message) => f.write_str(message),
        }
    }
}

/// What a service is made of.
pub struct Parts<'a> {
    /// The name the module is loaded under (for error messages).
    pub name: &'a str,
    /// QuickJS bytecode of a module, written by this build's rquickjs (see `build.rs`).
    pub bytecode: &'static [u8],
    /// Data files, given to the glue as the global object `name -> text` named by `files_global`.
    pub files: &'a [(&'static str, &'static str)],
    pub files_global: &'a str,
    /// A script run after the module: it defines the functions [`Service::call`] calls.
    pub glue: &'a str,
    /// Data prepared at build time, handed to the glue once it is set up.
    pub snapshot: Option<Snapshot<'a>>,
    /// Heap limit in bytes.
    pub memory: usize,
    /// Stack the service may use, in bytes; its thread must have more.
    pub stack: usize,
}

/// A value written at build time by [`super::snapshot::write`] and a global function of the
/// glue that takes it, read back.
pub struct Snapshot<'a> {
    pub bytes: &'static [u8],
    pub function: &'a str,
}

/// How long a cancelled call has to stop at one of its own safe points (the glue asks
/// `codemodeCancelled()`), or to end, before the interrupt handler stops it wherever it is.
/// A stop half-way costs its owner a rebuild (the glue's state is half-updated then), so
/// the grace lets a usual check (tens of milliseconds warm) end on its own.
pub const CANCEL_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// The clock and cancel flag the interrupt handler reads.
struct Watch {
    /// Nanoseconds after `epoch` at which the current call times out (0: no call running).
    deadline: AtomicU64,
    epoch: Instant,
    cancel: std::sync::Mutex<Option<Arc<AtomicBool>>>,
    /// Nanoseconds after `epoch` at which the handler first saw the cancel flag (0: not yet).
    cancel_seen: AtomicU64,
    timed_out: AtomicBool,
    /// The handler stopped the call because it was cancelled (past the grace).
    cancelled: AtomicBool,
}

/// A loaded service. See the module documentation.
pub struct Service {
    watch: Arc<Watch>,
    context: Context,
    // Dropped after the context.
    _runtime: Runtime,
}

impl Service {
    /// Loads the module, the files and the glue.
    pub fn load(parts: &Parts<'_>) -> Result<Service, Fault> {
        let setup = |e: rquickjs::Error| Fault::Failed(format!("cannot start the engine: {e}"));
        let runtime = Runtime::new().map_err(setup)?;
        runtime.set_memory_limit(parts.memory);
        runtime.set_max_stack_size(parts.stack);
        // Nothing loaded is garbage: no collection until it is all in (QuickJS would collect
        // each time the heap grew by half, walking all of it).
        runtime.set_gc_threshold(usize::MAX);
        let watch = Arc::new(Watch {
            deadline: AtomicU64::new(0),
            epoch: Instant::now(),
            cancel: std::sync::Mutex::new(None),
            cancel_seen: AtomicU64::new(0),
            timed_out: AtomicBool::new(false),
            cancelled: AtomicBool::new(false),
        });
        let handler = watch.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || handler.should_stop())));
        let context = Context::full(&runtime).map_err(setup)?;
        let service = Service {
            watch,
            context,
            _runtime: runtime,
        };
        service.context.with(|ctx| -> Result<(), Fault> {
            let fail = |what: &str, e: rquickjs::Error| {
                Fault::Failed(format!("{what} {}: {}", parts.name, caught(&ctx, e)))
            };
            let started = Instant::now();
            // Safety: the bytecode was written by this build's own rquickjs from the vendored
            // source (build.rs), so it is the format and version this QuickJS reads.
            #[allow(unsafe_code)]
            let module = unsafe { Module::load(ctx.clone(), parts.bytecode) }
                .map_err(|e| fail("cannot load", e))?;
            let (_, evaluated) = module.eval().map_err(|e| fail("cannot evaluate", e))?;
            evaluated
                .finish::<()>()
                .map_err(|e| fail("cannot evaluate", e))?;
            tracing::debug!("loaded {} in {:?}", parts.name, started.elapsed());
            let files = Object::new(ctx.clone()).map_err(|e| fail("cannot set up", e))?;
            for (name, text) in parts.files {
                files
                    .set(*name, *text)
                    .map_err(|e| fail("cannot set up", e))?;
            }
            ctx.globals()
                .set(parts.files_global, files)
                .map_err(|e| fail("cannot set up", e))?;
            // The glue's safe points ask whether the call in progress was cancelled.
            let asked = service.watch.clone();
            let cancelled = Function::new(ctx.clone(), move || asked.cancel_requested())
                .map_err(|e| fail("cannot set up", e))?;
            ctx.globals()
                .set("codemodeCancelled", cancelled)
                .map_err(|e| fail("cannot set up", e))?;
            ctx.eval::<(), _>(parts.glue)
                .map_err(|e| fail("cannot set up the glue of", e))?;
            if let Some(snapshot) = &parts.snapshot {
                let started = Instant::now();
                let value = super::snapshot::read(&ctx, snapshot.bytes)
                    .map_err(|e| fail("cannot read the snapshot of", e))?;
                let taker: Function = ctx
                    .globals()
                    .get(snapshot.function)
                    .map_err(|e| fail("cannot take the snapshot of", e))?;
                let read = started.elapsed();
                taker
                    .call::<_, ()>((value,))
                    .map_err(|e| fail("cannot take the snapshot of", e))?;
                tracing::debug!(
                    "read the snapshot of {} in {read:?}, took it in {:?}",
                    parts.name,
                    started.elapsed() - read
                );
            }
            Ok(())
        })?;
        // From here as QuickJS would have it after a collection: the next at half as much again.
        let used = usize::try_from(service.memory_used()).unwrap_or(0);
        service
            .context
            .runtime()
            .set_gc_threshold((used + used / 2).max(256 * 1024));
        Ok(service)
    }

    /// Calls the global function `function` with `argument`; its string answer, or why none.
    pub fn call(
        &self,
        function: &str,
        argument: &str,
        deadline: Instant,
        cancel: Arc<AtomicBool>,
    ) -> Result<String, Fault> {
        self.watch.arm(deadline, cancel);
        let answer = self.context.with(|ctx| -> Result<String, Fault> {
            let callee: Function = ctx
                .globals()
                .get(function)
                .map_err(|e| Fault::Failed(format!("no function {function}: {e}")))?;
            callee
                .call::<_, String>((argument,))
                .map_err(|e| self.fault(&ctx, e))
        });
        self.watch.disarm();
        answer
    }

    /// Frees what the last calls left in reference cycles (a parsed file's syntax tree is
    /// one). The engine also collects on its own as its heap grows; its owner calls this
    /// when idle, so that the collection is not in the way of an answer.
    pub fn collect(&self) {
        self.context.runtime().run_gc();
    }

    /// Whether the last call ended where it chose to (answered, threw, or stopped at a safe
    /// point on being cancelled), not stopped by the interrupt handler half-way, which leaves
    /// the glue's state half-updated.
    pub fn sound(&self) -> bool {
        !self.watch.timed_out.load(Ordering::Relaxed)
            && !self.watch.cancelled.load(Ordering::Relaxed)
    }

    /// Heap bytes in use, as QuickJS counts them.
    pub fn memory_used(&self) -> i64 {
        self.context.runtime().memory_usage().memory_used_size
    }

    fn fault(&self, ctx: &Ctx<'_>, error: rquickjs::Error) -> Fault {
        let message = caught(ctx, error);
        if self.watch.cancelled.load(Ordering::Relaxed) || self.watch.cancel_requested() {
            Fault::Cancelled
        } else if self.watch.timed_out.load(Ordering::Relaxed) {
            Fault::Timeout
        } else if message.contains("out of memory") {
            Fault::OutOfMemory
        } else if message.contains("stack overflow") || message.contains("call stack size") {
            Fault::StackOverflow
        } else {
            Fault::Failed(message)
        }
    }
}

impl Watch {
    fn arm(&self, deadline: Instant, cancel: Arc<AtomicBool>) {
        self.timed_out.store(false, Ordering::Relaxed);
        self.cancelled.store(false, Ordering::Relaxed);
        self.cancel_seen.store(0, Ordering::Relaxed);
        *self.cancel.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel);
        let nanos = deadline.saturating_duration_since(self.epoch).as_nanos();
        self.deadline.store(
            u64::try_from(nanos).unwrap_or(u64::MAX).max(1),
            Ordering::Relaxed,
        );
    }

    fn disarm(&self) {
        self.deadline.store(0, Ordering::Relaxed);
        *self.cancel.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn should_stop(&self) -> bool {
        let deadline = self.deadline.load(Ordering::Relaxed);
        if deadline == 0 {
            return false;
        }
        let now = u64::try_from(self.epoch.elapsed().as_nanos())
            .unwrap_or(u64::MAX)
            .max(1);
        if self.cancel_requested() {
            // Time to stop at a safe point first; then wherever it is.
            let seen = match self.cancel_seen.load(Ordering::Relaxed) {
                0 => {
                    self.cancel_seen.store(now, Ordering::Relaxed);
                    now
                }
                seen => seen,
            };
            if now.saturating_sub(seen) >= CANCEL_GRACE.as_nanos() as u64 {
                self.cancelled.store(true, Ordering::Relaxed);
                return true;
            }
        }
        if u128::from(now) >= u128::from(deadline) {
            self.timed_out.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }
}

impl Watch {
    /// Whether the call in progress was cancelled.
    fn cancel_requested(&self) -> bool {
        self.cancel
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// The pending exception behind `error`, described with its stack when it has one.
fn caught(ctx: &Ctx<'_>, error: rquickjs::Error) -> String {
    if !matches!(error, rquickjs::Error::Exception) {
        return error.to_string();
    }
    let exception: Value = ctx.catch();
    let mut text = describe(&exception);
    if let Some(stack) = exception
        .as_object()
        .and_then(|o| o.get::<_, Option<String>>("stack").ok().flatten())
        .filter(|s| !s.is_empty())
    {
        text.push('\n');
        text.push_str(&stack);
    }
    text
}
