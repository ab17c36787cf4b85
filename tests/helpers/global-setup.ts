/** Global set-up shared by every test tier (real Redis is started here once issue 3 lands). */
export default async function setup(): Promise<void | (() => Promise<void>)> {}
