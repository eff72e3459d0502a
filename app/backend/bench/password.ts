// Password hashing micro-benchmark: what one login costs in CPU and latency, argon2id (OWASP
// parameters, native, thread pool) against the bcryptjs cost 12 it replaced. Run:
//   node app/backend/bench/password.ts [rounds]
import bcrypt from 'bcryptjs';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';

const n = Number(process.argv[2] ?? 8);
const pw = 'correct horse battery staple';

async function measure(label: string, hash: string, parallel: number) {
  const lat: number[] = [];
  const t0 = performance.now();
  let lag = 0;
  // Event-loop lag while verifying: how long other requests wait behind a login.
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 5);
    last = now;
  }, 5);
  for (let i = 0; i < n; i += parallel)
    await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, async () => {
        const s = performance.now();
        if (!(await verifyPassword(pw, hash))) throw new Error('verify failed');
        lat.push(performance.now() - s);
      }),
    );
  clearInterval(tick);
  const total = performance.now() - t0;
  lat.sort((a, b) => a - b);
  const p50 = lat[Math.floor(lat.length / 2)] ?? 0;
  console.log(
    `${label.padEnd(34)} parallel=${parallel}  p50 ${p50.toFixed(0).padStart(5)} ms  ` +
      `${((n / total) * 1000).toFixed(1).padStart(5)} logins/s  max event-loop lag ${lag.toFixed(0)} ms`,
  );
}

const argon = await hashPassword(pw);
const bcrypt12 = await bcrypt.hash(pw, 12);
for (const parallel of [1, 4]) {
  await measure('argon2id m=19MiB t=2 p=1 (native)', argon, parallel);
  await measure('bcryptjs cost 12 (pure JS)', bcrypt12, parallel);
}
