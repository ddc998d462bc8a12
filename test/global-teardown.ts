/** Jest global teardown: stops what global-setup.ts started (nothing when the environment named the services). */
export default async function globalTeardown(): Promise<void> {
  const stops = globalThis.__newsroomTestServices ?? [];
  globalThis.__newsroomTestServices = undefined;
  await Promise.allSettled(stops.splice(0).map((stop) => stop()));
}
