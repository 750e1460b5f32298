// Loaded with `node --import` into the demo server that the browser tests start: the server exits when the
// test process that started it is gone (killed, crashed, timed out), so a stray server never outlives CI.
const parent = Number(process.env.ISOTEL_E2E_PARENT_PID);
if (Number.isInteger(parent) && parent > 0) {
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      // ESRCH: the test process is gone (EPERM cannot happen: the same user started both).
      console.error(`e2e watchdog: test process ${parent} is gone, exiting`);
      process.exit(3);
    }
  }, 1000);
  timer.unref();
}
