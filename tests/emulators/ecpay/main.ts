// Standalone ECPay emulator for the sandbox: `tsx tests/emulators/ecpay/main.ts`.
// Env: PORT (default 0 = random), HOST (default 127.0.0.1), ECPAY_ENV (stage | production,
// default stage), ECPAY_MERCHANTS (JSON array of EcpayMerchant), ECPAY_NOTIFY_RETRY_MS.
import { merchantsSchema, startEcpayEmulator } from "./index";

async function main(): Promise<void> {
  const environment = process.env.ECPAY_ENV ?? "stage";
  if (environment !== "stage" && environment !== "production") {
    throw new Error(`ECPAY_ENV must be stage or production, not ${environment}`);
  }
  const merchants = process.env.ECPAY_MERCHANTS ? merchantsSchema.parse(JSON.parse(process.env.ECPAY_MERCHANTS)) : [];
  const retry = process.env.ECPAY_NOTIFY_RETRY_MS;
  const emulator = await startEcpayEmulator({
    environment,
    merchants,
    port: Number(process.env.PORT ?? 0),
    host: process.env.HOST ?? "127.0.0.1",
    ...(retry !== undefined && { notifyRetryIntervalMs: Number(retry) }),
  });
  console.info(`ECPay ${environment} emulator listening on ${emulator.origin}`);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
