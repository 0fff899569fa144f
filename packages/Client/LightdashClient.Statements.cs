using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lightdash.Net.Client;

public sealed partial class LightdashClient
{
    private const string StatementsPath = "api/v2/statements";

    /// <summary>Opens a statements session: statements submitted in it are readable only with it, and end with it.</summary>
    public async Task<string> OpenStatementSessionAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{StatementsPath}/sessions", null, cancellationToken).ConfigureAwait(false)).GetProperty("sessionId").GetString()!;

    /// <summary>Closes a session; its statements end.</summary>
    public Task CloseStatementSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"{StatementsPath}/sessions/{Uri.EscapeDataString(sessionId)}", null, cancellationToken);

    /// <summary>
    /// Runs a statement in the project, with values bound to its placeholders (never spliced), and waits up
    /// to <paramref name="timeoutSeconds"/> (at most 45) for it; a statement still running answers
    /// <see cref="StatementResult.Done"/> false: read it again with <see cref="GetStatementPartitionAsync"/>.
    /// </summary>
    public async Task<StatementResult> ExecuteStatementAsync(
        Guid projectUuid, string sql, IReadOnlyList<StatementBinding>? bindings = null, string? sessionId = null, int? timeoutSeconds = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["statement"] = sql, ["timeout"] = timeoutSeconds };
        if (bindings is { Count: > 0 })
        {
            body["bindings"] = new JsonObject(bindings.Select((b, i) => KeyValuePair.Create(
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)new JsonObject { ["type"] = b.Type, ["value"] = b.Value })));
        }

        return await StatementAsync(HttpMethod.Post, StatementsPath, body, projectUuid, sessionId, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A partition (from 0) of a statement's result, or its state while it runs.</summary>
    public Task<StatementResult> GetStatementPartitionAsync(Guid statementHandle, int partition = 0, string? sessionId = null, CancellationToken cancellationToken = default) =>
        StatementAsync(HttpMethod.Get, $"{StatementsPath}/{statementHandle}?partition={partition}", null, null, sessionId, statementHandle, cancellationToken);

    /// <summary>Cancels a running statement.</summary>
    public Task CancelStatementAsync(Guid statementHandle, string? sessionId = null, CancellationToken cancellationToken = default) =>
        StatementAsync(HttpMethod.Post, $"{StatementsPath}/{statementHandle}/cancel", null, null, sessionId, statementHandle, cancellationToken);

    private async Task<StatementResult> StatementAsync(
        HttpMethod method, string path, object? body, Guid? projectUuid, string? sessionId, Guid? knownHandle, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>();
        if (projectUuid is { } project)
        {
            headers["X-Lightdash-Project"] = project.ToString();
        }

        if (sessionId is not null)
        {
            headers["X-Lightdash-Session"] = sessionId;
        }

        using var response = await SendRawAsync(method, path, body, HttpCompletionOption.ResponseContentRead, cancellationToken, headers).ConfigureAwait(false);
        var answer = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        return StatementResult.Of(answer, response.StatusCode == System.Net.HttpStatusCode.OK, knownHandle);
    }
}
