// expect: 2 TS2322 '"debug" | "error" | "success"'
await everything.getAnnotatedMessage({ messageType: "warning" });
