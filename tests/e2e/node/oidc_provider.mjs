// A real OpenID Connect provider (npm oidc-provider) on loopback, with one confidential client for Jean Memory.
// Usage: node oidc_provider.mjs <port> <client_id> <client_secret> <redirect_uri>
// Sign in on its dev login page with any login: the login becomes the account's email (verified), unless it
// starts with "unverified-", which yields email_verified=false. Prints "READY <issuer>" once listening.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  cookies: { keys: ["jean-memory-e2e-only"] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: `sub-${id}`,
      email: id.replace(/^unverified-/, ""),
      email_verified: !id.startsWith("unverified-"),
      name: "Test Person",
    }),
  }),
});

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`READY ${issuer}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
