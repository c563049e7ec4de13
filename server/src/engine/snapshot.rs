//! QuickJS's object writer and reader, for a graph of plain data: objects, arrays, maps, sets,
//! strings and numbers, shared objects and cycles kept (`JS_WRITE_OBJ_REFERENCE`). Prototypes
//! are not kept: the reader's objects are plain, and their owner puts classes back.
//!
//! `build.rs` includes this file too: it writes the checker's parsed and bound lib files with
//! [`write`] at build time, and the checker reads them with [`read`] at start. The bytes are
//! QuickJS's own format, which only the same QuickJS reads: both sides link the one
//! rquickjs of `Cargo.lock`.

use rquickjs::{Ctx, Error, Value, qjs};

/// `value` as QuickJS's object format; [`Error::Exception`] (pending in `ctx`) for what it
/// cannot write, such as a function.
pub fn write(ctx: &Ctx<'_>, value: &Value<'_>) -> Result<Vec<u8>, Error> {
    let mut size = 0;
    let flags = qjs::JS_WRITE_OBJ_REFERENCE as i32;
    // Safety: the context and value are live for the call; QuickJS returns a buffer of `size`
    // bytes it allocated (or null after throwing), which is copied and then freed with the
    // context's allocator.
    #[allow(unsafe_code)]
    let bytes = unsafe {
        let raw = ctx.as_raw().as_ptr();
        let buffer = qjs::JS_WriteObject(raw, &mut size, value.as_raw(), flags);
        if buffer.is_null() {
            None
        } else {
            let length = usize::try_from(size).expect("a buffer in memory");
            let copy = std::slice::from_raw_parts(buffer, length).to_vec();
            qjs::js_free(raw, buffer.cast());
            Some(copy)
        }
    };
    bytes.ok_or(Error::Exception)
}

/// The value `bytes` (written by [`write`] with this QuickJS) holds; [`Error::Exception`]
/// (pending in `ctx`) when they are not such bytes.
pub fn read<'js>(ctx: &Ctx<'js>, bytes: &[u8]) -> Result<Value<'js>, Error> {
    let flags = qjs::JS_READ_OBJ_REFERENCE as i32;
    // Safety: QuickJS reads `bytes` within their length and answers a new value (owned here),
    // or an exception value after throwing. The only bytes given are the build's own, written
    // by `write` with this QuickJS (`build.rs`).
    #[allow(unsafe_code)]
    let value = unsafe {
        let raw = qjs::JS_ReadObject(
            ctx.as_raw().as_ptr(),
            bytes.as_ptr(),
            bytes.len() as _,
            flags,
        );
        Value::from_raw(ctx.clone(), raw)
    };
    if value.is_exception() {
        return Err(Error::Exception);
    }
    Ok(value)
}
