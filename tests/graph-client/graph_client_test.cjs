// The Microsoft Graph JavaScript client (@microsoft/microsoft-graph-client, pinned in
// package.json) pointed at `wblab lab up` (docs/lab.md): lists users, resets a password with
// resetPassword, follows the Location to the long-running operation, reads the audit log, and
// gets Graph's error for an unknown user, as a script written for graph.microsoft.com would.
//
//   node graph_client_test.cjs WBLAB SCENARIO WORKDIR
//
// The lab serves plain http on loopback. The SDK's AuthenticationHandler sends a token only to
// https:// Graph hosts and custom hosts, and strips Authorization from any other request
// (lib/src/GraphRequestUtil.js isValidEndpoint, middleware/AuthenticationHandler.js), so the
// client's middleware chain here is the SDK's own minus that handler: one that asks the same
// custom authProvider for the lab's token, then the SDK's HTTPMessageHandler.
"use strict";

const { spawn } = require("child_process");
const fs = require("fs");
const assert = require("assert");
const graph = require("@microsoft/microsoft-graph-client");

const [wblab, scenario, workdir] = process.argv.slice(2);
const passwordMethod = "28c10230-6103-485e-b985-444c60001490";
const newPassword = "Graph-Client-Reset-91!";

function startLab() {
    const lab = spawn(wblab, ["lab", "up", scenario], {
        env: { PATH: "/usr/bin:/bin", WBLAB_TMPDIR: workdir },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    lab.stdout.on("data", (d) => (out += d));
    lab.stderr.on("data", (d) => (out += d));
    const up = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the lab did not come up: " + out)), 30000);
        lab.stdout.on("data", () => {
            if (out.includes("Press Ctrl-C")) {
                clearTimeout(timer);
                resolve();
            }
        });
        lab.on("exit", (code) => reject(new Error(`the lab exited (${code}): ${out}`)));
    });
    return { lab, up, output: () => out };
}

function clientFor(api, token) {
    // A custom authProvider, as a Graph script has one.
    const authProvider = { getAccessToken: async () => token };
    const labAuth = {
        execute: async (context) => {
            const t = await authProvider.getAccessToken();
            context.options.headers = { ...(context.options.headers || {}), Authorization: `Bearer ${t}` };
            return labAuth.next.execute(context);
        },
        setNext: (next) => (labAuth.next = next),
    };
    const send = new graph.HTTPMessageHandler();
    labAuth.setNext(send);
    return graph.Client.initWithMiddleware({
        middleware: labAuth,
        baseUrl: api + "/",
        defaultVersion: "v1.0",
        customHosts: new Set([new URL(api).host]),
    });
}

async function main() {
    const { lab, up, output } = startLab();
    await up;
    const text = output();
    const api = /graph api +(http:\/\/127\.0\.0\.1:\d+)\/v1\.0/.exec(text)[1];
    const tokenFile = /bearer token in ([^)]+)\)/.exec(text)[1];
    const token = fs.readFileSync(tokenFile, "utf8");
    const client = clientFor(api, token);
    try {
        const users = await client.api("/users").get();
        const user = users.value.find((u) => u.userPrincipalName === "user1@testlab.example");
        assert.ok(user, "user1 is listed");
        assert.strictEqual(user.onPremisesSyncEnabled, true);

        const raw = await client
            .api(`/users/${user.id}/authentication/methods/${passwordMethod}/resetPassword`)
            .responseType(graph.ResponseType.RAW)
            .post({ newPassword });
        assert.strictEqual(raw.status, 202);
        const location = raw.headers.get("Location");
        assert.ok(location.includes(`/users/${user.id}/authentication/operations/`), location);
        // The SDK takes a full URL only for https hosts: the path after the version it is.
        const operation = await client.api(new URL(location).pathname.replace(/^\/v1\.0/, "")).get();
        assert.strictEqual(operation.status, "succeeded");

        const audits = await client.api("/auditLogs/directoryAudits").get();
        assert.ok(
            audits.value.some((e) => e.activityDisplayName === "Reset password (by admin)" && e.result === "success"),
            "the audit log shows the admin reset"
        );

        await assert.rejects(client.api("/users/nobody@testlab.example").get(), (e) => {
            assert.strictEqual(e.statusCode, 404);
            assert.strictEqual(e.code, "Request_ResourceNotFound");
            return true;
        });
    } finally {
        const ended = new Promise((resolve) => lab.on("exit", (code, signal) => resolve({ code, signal })));
        const started = Date.now();
        lab.kill("SIGINT");
        const { code } = await ended;
        assert.strictEqual(code, 0, "the lab ends cleanly on Ctrl-C");
        assert.ok(Date.now() - started < 2000, "the lab ends within 2 s");
    }
    assert.ok(!output().includes(newPassword), "the console never shows the password");
    assert.ok(!output().includes(token), "the console never shows the token");
    console.log("graph client: users, resetPassword, operation, directoryAudits and a 404 as Graph's");
}

main().catch((e) => {
    console.error("graph client test failed:", e);
    process.exit(1);
});
