import { startStack } from './stack';

/**
 * Starts the stack once for all specs and hands its URLs to them through the environment (Playwright passes the
 * global set-up's environment on to its test workers). The returned function is the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const { urls, stop } = await startStack();
  process.env.E2E_MENU_URL = urls.menu;
  process.env.E2E_MENU_SHORT_PICKUP_URL = urls.menuShortPickup;
  process.env.E2E_MENU_SHORT_DELIVERY_URL = urls.menuShortDelivery;
  process.env.E2E_DRIVER_URL = urls.driver;
  process.env.E2E_MENU_FUZZ_URL = urls.menuFuzz;
  process.env.E2E_DRIVER_FUZZ_URL = urls.driverFuzz;
  process.env.E2E_TEMPORAL_ADDRESS = urls.temporal;
  process.env.E2E_TEMPORAL_UI_URL = urls.temporalUi;
  process.env.E2E_CODEC_SERVER_URL = urls.codecServer;
  process.env.E2E_CODEC_SERVER_TOKEN = urls.codecServerToken;
  process.env.E2E_ACCOUNTS_DATABASE_URL = urls.accountsDatabaseUrl;
  process.env.E2E_SCRAPE_TARGETS = JSON.stringify(urls.scrape);
  return stop;
}
