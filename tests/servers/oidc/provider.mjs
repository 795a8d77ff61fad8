// A real OpenID Connect provider for the sign-in tests: oidc-provider on a free loopback port.
// Environment: CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated).
// Prints one line, {"issuer": "http://127.0.0.1:PORT"}, once it listens.
// Its own login page (oidc-provider's development interaction) takes any password: the tests
// are about our side of the exchange, and who may sign in is the provider's business.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const people = JSON.parse(readFileSync(new URL("./people.json", import.meta.url), "utf8"));

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.CLIENT_ID,
        client_secret: process.env.CLIENT_SECRET,
        redirect_uris: process.env.REDIRECT_URIS.split(","),
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name", "preferred_username", "groups"],
    },
    async findAccount(ctx, id) {
      const person = people[id];
      if (!person) return undefined;
      return { accountId: id, async claims() { return person; } };
    },
    // The desk is a first-party client: no consent screen.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  provider.proxy = false;
  server.on("request", provider.callback());
  console.log(JSON.stringify({ issuer }));
});

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
