//! Compiles the vendored TypeScript compiler (`vendor/typescript/typescript.js`, 9 MB of
//! JavaScript) to QuickJS bytecode, so that a cold `codemode check` loads bytecode instead of
//! parsing the source. Compiles the sandbox's bootstrap (`src/engine/bootstrap.js`) to
//! bytecode too, so a fresh sandbox loads it instead of parsing it.
//!
//! The bytecode is written by the same rquickjs (and so the same QuickJS-ng) the binary
//! links, and stripped of source text and debug information.
//!
//! Then it runs that bytecode and the checker's glue (`src/check/service.js`) once: to write
//! the one lib file both checker engines use (`lib.codemode.d.ts`: the vendored ES2023 lib
//! files as one, without what the sandbox lacks; `codemodeMakeLib`), and to parse and
//! bind it as the checker would, writing the result with QuickJS's object writer
//! (`src/engine/snapshot.rs`): the embedded checker reads it at start instead of parsing it.

use std::path::PathBuf;

use rquickjs::{Context, Function, Module, Object, Runtime, Value, WriteOptions};

// Only its writer is used here.
#[allow(dead_code)]
#[path = "src/engine/snapshot.rs"]
mod snapshot;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let vendor = manifest.join("vendor/typescript");
    println!("cargo::rerun-if-changed=vendor/typescript");
    println!("cargo::rerun-if-changed=src/engine/bootstrap.js");
    println!("cargo::rerun-if-changed=src/engine/snapshot.rs");
    println!("cargo::rerun-if-changed=src/check/service.js");

    // The bootstrap keeps its debug information: the script's call sites are found in
    // stacks that pass through it.
    let bootstrap = std::fs::read_to_string(manifest.join("src/engine/bootstrap.js"))
        .expect("src/engine/bootstrap.js");
    let bootstrap = compile(
        BOOTSTRAP_MODULE,
        &format!("export default {bootstrap}"),
        false,
    );
    std::fs::write(out.join("bootstrap.qbc"), bootstrap).expect("write the bootstrap");

    let source = std::fs::read_to_string(vendor.join("typescript.js"))
        .expect("vendor/typescript/typescript.js is missing: run vendor/typescript/refresh.sh");
    // The bundle keeps its namespace in a `var ts`; as a module, that is module-scoped.
    let module = format!("{source}\nglobalThis.ts = ts;\n");
    // QuickJS's parser recurses; give it room.
    let bytecode = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || compile("typescript.js", &module, true))
        .expect("spawn the compiling thread")
        .join()
        .expect("compiling typescript.js panicked");
    std::fs::write(out.join("typescript.qbc"), &bytecode).expect("write the bytecode");

    let mut libs: Vec<String> = std::fs::read_dir(&vendor)
        .expect("read vendor/typescript")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("lib.") && name.ends_with(".d.ts"))
        .collect();
    libs.sort();
    let libs: Vec<(String, String)> = libs
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(vendor.join(&name)).expect("read a lib file");
            (name, text)
        })
        .collect();
    let glue = std::fs::read_to_string(manifest.join("src/check/service.js"))
        .expect("src/check/service.js");
    let (lib, snapshot) = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || lib_snapshot(bytecode, &libs, &glue))
        .expect("spawn the snapshot thread")
        .join()
        .expect("snapshotting the lib files panicked");
    std::fs::write(out.join(LIB), lib).expect("write the lib file");
    std::fs::write(out.join("libs.snapshot"), snapshot).expect("write the lib snapshot");
}

/// The one lib file, as the checker's glue names it.
const LIB: &str = "lib.codemode.d.ts";

/// The one lib file made of the vendored ones (`codemodeMakeLib`), and it parsed and bound
/// by the checker's glue (`codemodeLibSnapshot`), written with QuickJS's object writer. The
/// engine is set up as `Service::load` sets it up.
fn lib_snapshot(bytecode: Vec<u8>, libs: &[(String, String)], glue: &str) -> (String, Vec<u8>) {
    let runtime = Runtime::new().expect("a QuickJS runtime");
    runtime.set_max_stack_size(200 * 1024 * 1024);
    let context = Context::full(&runtime).expect("a QuickJS context");
    context.with(|ctx| {
        let fail = |what: &str, error: rquickjs::Error| -> ! {
            let caught: Value = ctx.catch();
            let detail = caught
                .as_exception()
                .map(|e| format!("{:?}\n{:?}", e.message(), e.stack()))
                .unwrap_or_default();
            panic!("{what}: {error}: {detail}")
        };
        // Safety: the bytecode was just written by this rquickjs (see `compile`).
        #[allow(unsafe_code)]
        let module = unsafe { Module::load(ctx.clone(), &bytecode) }
            .unwrap_or_else(|e| fail("load typescript.js", e));
        let (_, evaluated) = module
            .eval()
            .unwrap_or_else(|e| fail("evaluate typescript.js", e));
        evaluated
            .finish::<()>()
            .unwrap_or_else(|e| fail("evaluate typescript.js", e));
        let files = Object::new(ctx.clone()).expect("an object");
        for (name, text) in libs {
            files.set(name.as_str(), text.as_str()).expect("a lib file");
        }
        ctx.globals()
            .set("codemodeLibs", files.clone())
            .expect("the lib files");
        ctx.eval::<(), _>(glue)
            .unwrap_or_else(|e| fail("set up service.js", e));
        let make_lib: Function = ctx
            .globals()
            .get("codemodeMakeLib")
            .unwrap_or_else(|e| fail("find codemodeMakeLib", e));
        let lib: String = make_lib
            .call(())
            .unwrap_or_else(|e| fail("make the lib file", e));
        files.set(LIB, lib.as_str()).expect("the lib file");
        let make: Function = ctx
            .globals()
            .get("codemodeLibSnapshot")
            .unwrap_or_else(|e| fail("find codemodeLibSnapshot", e));
        let value: Value = make
            .call(())
            .unwrap_or_else(|e| fail("parse and bind the lib files", e));
        let snapshot =
            snapshot::write(&ctx, &value).unwrap_or_else(|e| fail("write the lib snapshot", e));
        (lib, snapshot)
    })
}

/// The name the bootstrap's frames carry in stacks (not a name a script file can have).
const BOOTSTRAP_MODULE: &str = "codemode:bootstrap";

fn compile(name: &str, module: &str, strip_debug: bool) -> Vec<u8> {
    let runtime = Runtime::new().expect("a QuickJS runtime");
    runtime.set_max_stack_size(200 * 1024 * 1024);
    let context = Context::full(&runtime).expect("a QuickJS context");
    context.with(|ctx| {
        let declared = match Module::declare(ctx.clone(), name, module) {
            Ok(declared) => declared,
            Err(error) => panic!("{name} does not compile: {error}: {:?}", ctx.catch()),
        };
        declared
            .write(WriteOptions {
                strip_source: true,
                strip_debug,
                ..WriteOptions::default()
            })
            .unwrap_or_else(|e| panic!("write {name} as bytecode: {e}"))
    })
}
