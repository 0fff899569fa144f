using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Lightdash.Net.Bench;

/// <summary>The backend's HTTP API, as a user drives it.</summary>
public sealed class BackendClient(BenchOptions options) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
    {
        BaseAddress = new Uri(options.BaseUrl),
        Timeout = TimeSpan.FromMinutes(30),
    };

    private string QueryPath => $"/api/v2/projects/{options.ProjectUuid}/query";

    /// <summary>Sends the bench admin's token with every request.</summary>
    public void Authenticate() =>
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", options.Token);

    public HttpClient Http => _http;

    public async Task<Guid> SubmitAsync(string sql)
    {
        // Every submission runs: the bench measures execution, not the results cache.
        using var response = await _http.PostAsJsonAsync($"{QueryPath}/sql", new { sql, invalidateCache = true });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results").GetProperty("queryUuid").GetGuid();
    }

    public async Task<JsonElement> GetAsync(Guid queryUuid, int? page = null, int? pageSize = null, int? waitMs = null)
    {
        var url = $"{QueryPath}/{queryUuid}?page={page ?? 1}&pageSize={pageSize ?? 500}{(waitMs is { } wait ? $"&waitMs={wait}" : "")}";
        using var response = await _http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").Clone();
    }

    public string PagePath(Guid queryUuid, int page, int pageSize) => $"{QueryPath}/{queryUuid}?page={page}&pageSize={pageSize}";

    /// <summary>
    /// Waits until the query is final, as a client should: each request is held by the server
    /// (<c>waitMs</c>) and answered when the query finishes. Throws unless it is ready.
    /// </summary>
    public async Task<JsonElement> WaitReadyAsync(Guid queryUuid)
    {
        while (true)
        {
            var results = await GetAsync(queryUuid, waitMs: 30_000);
            var status = results.GetProperty("status").GetString();
            if (status == "ready")
            {
                return results;
            }

            if (status is not ("pending" or "queued" or "executing"))
            {
                throw new InvalidOperationException($"Query {queryUuid} ended {status}: {results}");
            }

        }
    }

    /// <summary>Posts to a query route (compose-sql...) and waits for the query it starts to be ready.</summary>
    public async Task<(Guid QueryUuid, TimeSpan Elapsed, long Rows)> RunRouteAsync(string route, object body)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _http.PostAsJsonAsync($"{QueryPath}/{route}", body);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{route} answered {(int)response.StatusCode}: {answer}");
        }

        var queryUuid = answer.GetProperty("results").GetProperty("queryUuid").GetGuid();
        var results = await WaitReadyAsync(queryUuid);
        return (queryUuid, clock.Elapsed, results.GetProperty("totalResults").GetInt64());
    }

    /// <summary>Posts JSON to a path and returns the answer's results, timed.</summary>
    public async Task<(JsonElement Results, TimeSpan Elapsed)> PostAsync(string path, object body)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _http.PostAsJsonAsync(path, body);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {answer}");
        }

        return (answer.GetProperty("results").Clone(), clock.Elapsed);
    }

    /// <summary>Sends JSON with PUT, failing unless it succeeds.</summary>
    public async Task PutAsync(string path, object body)
    {
        using var response = await _http.PutAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Runs SQL to ready and returns the wall time from submission.</summary>
    public async Task<(Guid QueryUuid, TimeSpan Elapsed, long Rows)> RunAsync(string sql)
    {
        var clock = Stopwatch.StartNew();
        var queryUuid = await SubmitAsync(sql);
        var results = await WaitReadyAsync(queryUuid);
        return (queryUuid, clock.Elapsed, results.GetProperty("totalResults").GetInt64());
    }

    /// <summary>Runs an export job of a ready query to completion; returns its time (schedule to completed), rows and bytes.</summary>
    public async Task<(TimeSpan Elapsed, long Rows, long Bytes)> ExportAsync(Guid queryUuid, string type)
    {
        var clock = Stopwatch.StartNew();
        using var scheduled = await _http.PostAsJsonAsync($"{QueryPath}/{queryUuid}/schedule-download", new { type });
        scheduled.EnsureSuccessStatusCode();
        var jobId = (await scheduled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("jobId").GetGuid();
        while (true)
        {
            var job = (await _http.GetFromJsonAsync<JsonElement>($"/api/v1/schedulers/job/{jobId}/status")).GetProperty("results");
            switch (job.GetProperty("status").GetString())
            {
                case "completed":
                    return (clock.Elapsed, job.GetProperty("rowCount").GetInt64(), job.GetProperty("byteSize").GetInt64());
                case "error" or "cancelled":
                    throw new InvalidOperationException($"Export {jobId}: {job}");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose() => _http.Dispose();
}
