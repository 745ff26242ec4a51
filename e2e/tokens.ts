/** The tokens the test gateway runs with (written to its --env-file by gateway.ts). */
export const ADMIN_TOKEN = "e2e-admin-token";
export const READ_TOKEN = "e2e-read-token";
