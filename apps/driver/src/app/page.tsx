import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { driverApiCaller } from '@durable-delivery/api/server';
import { appConfig } from '../server/config';
import { signedInDriver } from '../server/driver';
import { acknowledgedCookieName, parseAcknowledged } from '../lib/acknowledged';
import { DeliveryBoard } from './delivery-board';
import { LIST_PAGE } from './list-page';

// Signed-in drivers only; the API checks the cookie again on every call, so this redirect is a courtesy.
export default async function DriverHome() {
  const driver = await signedInDriver();
  if (!driver) redirect('/signin');
  // Both lists' first pages come with the HTML, so the page does not grow when they arrive. If the server cannot
  // read one, the client asks and shows what went wrong.
  const api = await driverApiCaller(appConfig(), driver);
  const [waiting, mine] = await Promise.all([
    api.deliveries.waiting(LIST_PAGE).catch(() => undefined),
    api.deliveries.mine(LIST_PAGE).catch(() => undefined),
  ]);
  const acknowledged = parseAcknowledged((await cookies()).get(acknowledgedCookieName(driver.id))?.value);
  return (
    <DeliveryBoard
      driverId={driver.id}
      driverName={driver.name}
      firstPages={{ waiting, mine }}
      acknowledged={acknowledged}
    />
  );
}
