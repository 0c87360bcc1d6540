/**
 * The accounts `npm run dev` creates when they are missing (never `npm start`), named in README.md. Development
 * only: these passwords are public.
 */
export const DEVELOPMENT_DRIVERS = [
  { username: 'dana', name: 'Dana', password: 'dana-drives-dev' },
  { username: 'eli', name: 'Eli', password: 'eli-drives-dev!' },
] as const;
