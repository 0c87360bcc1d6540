import { redirect } from 'next/navigation';
import { signedInDriver } from '../server/driver';
import { DeliveryBoard } from './delivery-board';

// Signed-in drivers only; the API checks the cookie again on every call, so this redirect is a courtesy.
export default async function DriverHome() {
  const driver = await signedInDriver();
  if (!driver) redirect('/signin');
  return <DeliveryBoard driverId={driver.id} />;
}
