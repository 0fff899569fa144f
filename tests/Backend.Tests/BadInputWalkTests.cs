using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Walks every operation of the committed openapi/openapi.json with bad input (missing, wrong-typed,
/// null-element, NUL-character, oversized, empty and unknown values, a wrong method, a wrong content
/// type, an over-long URL, an over-large body) and asserts a 4xx in the error envelope, in plain words.
/// Deleting operations run last, so that the rest still find the project.
/// </summary>
[Category(TestCategories.Integration)]
public class BadInputWalkTests
{
    private const string Nul = "a\u0000b";
    private static readonly string Huge = new('x', 100_000);
    private BackendHost _host = null!;
    private JsonObject _document = null!;
    private Guid _readyQuery;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        _document = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ChildProcess.RepositoryRoot(), "openapi", "openapi.json")))!.AsObject();
        _readyQuery = await _host.RunToReadyAsync("select 1 as one");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task EveryOperation_WithBadInput_Answers4xxInTheEnvelope()
    {
        var failures = new List<string>();
        var requests = 0;
        foreach (var (method, template, operation) in Operations().OrderBy(o => o.Method == "DELETE"))
        {
            foreach (var (what, request) in BadRequests(method, template, operation))
            {
                requests++;
                using (request)
                {
                    using var response = await _host.Client.SendAsync(request);
                    var problem = await ProblemAsync(response);
                    if (problem is not null)
                    {
                        failures.Add($"{method} {template} ({what}): {problem}");
                    }
                }
            }
        }

        Assert.That(requests, Is.GreaterThan(500), "the walk covers the document");
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public async Task UnsupportedMethod_Returns405InTheEnvelope()
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{_host.QueryPath()}/sql");
        using var response = await _host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(await ProblemAsync(response), Is.Null);
    }

    [TestCase(new byte[] { 0xC3, 0x28 })]
    [TestCase(new byte[] { 0xFF, 0xFE })]
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 })]
    public async Task InvalidUtf8InABody_Returns400InTheEnvelope_AndNothingIsStored(byte[] invalid)
    {
        var body = Encoding.UTF8.GetBytes("{\"sql\":\"select 1 as x\",\"context\":\"bad").Concat(invalid).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var before = await _host.Metadata.ScalarAsync<long>("select count(*) from query_history");

        using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/sql", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await ProblemAsync(response), Is.Null);
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history"), Is.EqualTo(before));
    }

    [Test]
    public async Task TextBody_Returns415InTheEnvelope()
    {
        using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/sql", new StringContent("select 1", Encoding.UTF8, "text/plain"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That(await ProblemAsync(response), Is.Null);
    }

    [Test]
    public async Task OverLongUrl_Returns414InTheEnvelope()
    {
        using var response = await _host.Client.GetAsync($"{_host.QueryPath()}/history?status={new string('a', 20_000)}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong));
        Assert.That(await ProblemAsync(response), Is.Null);
    }

    [Test]
    public async Task OverLargeBody_Returns413InTheEnvelope()
    {
        var sql = new string(' ', 9 << 20);
        using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/sql", new StringContent($"{{\"sql\":\"{sql}\"}}", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await ProblemAsync(response), Is.Null);
    }

    [TestCase("{\"sql\":\"select 'a\\u0000b'\"}", HttpStatusCode.BadRequest)]
    [TestCase("{\"sql\":\"select '\\\\u0000' as escaped_backslash\"}", HttpStatusCode.OK)]
    [TestCase("{\"sql\":\"select 1\",\"context\":\"x\\u0000\"}", HttpStatusCode.BadRequest)]
    public async Task NulCharacter_IsRefused_ButAnEscapedBackslashIsNot(string body, HttpStatusCode expected)
    {
        using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/sql", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
    }

    [TestCase("{\"query\":{\"exploreName\":\"orders\",\"filters\":{\"dimensions\":\"x\"}}}", "filters.dimensions must be a filter group")]
    [TestCase("{\"query\":{\"exploreName\":\"orders\",\"filters\":{\"dimension\":{\"and\":[]}}}}", "filters.dimension is not a filter group")]
    [TestCase("{\"query\":{\"exploreName\":\"orders\",\"filters\":{\"dimensions\":{\"and\":[\"x\"]}}}}", "must be a filter rule or group")]
    [TestCase("{\"query\":{\"exploreName\":\"orders\",\"timezone\":\"Mars/Olympus\"}}", "is not an IANA time zone")]
    [TestCase("{\"query\":{\"exploreName\":\"orders\",\"dimensions\":[\"a\",null]}}", "query.dimensions[1] is null")]
    public async Task MalformedMetricQueries_Return400NamingTheProblem(string body, string expected)
    {
        using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/metric-query", new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(answer.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task MetricQueries_BeyondEachLimit_Return400NamingTheLimit()
    {
        var rules = Enumerable.Range(0, 20_000).Select(i => new { target = new { fieldId = "orders_status" }, @operator = "equals", values = new[] { $"v{i}" } });
        var cases = new (object Query, string Expected)[]
        {
            (new { exploreName = "orders", filters = new { dimensions = new { or = rules } } }, "at most 100 filter rules"),
            (new { exploreName = "orders", filters = new { dimensions = new { and = new[] { new { target = new { fieldId = "orders_status" }, @operator = "equals", values = Enumerable.Range(0, 5000).Select(i => $"v{i}").ToArray() } } } } }, "at most 1000"),
            (new { exploreName = "orders", dimensions = Enumerable.Range(0, 300).Select(i => $"f{i}").ToArray() }, "at most 200 dimensions and metrics"),
            (new { exploreName = "orders", sorts = Enumerable.Range(0, 50).Select(i => new { fieldId = $"f{i}" }).ToArray() }, "query.sorts has 50 items; at most 20"),
            (new { exploreName = "orders", tableCalculations = Enumerable.Range(0, 50).Select(i => new { name = $"c{i}", sql = "1" }).ToArray() }, "query.tableCalculations has 50 items; at most 20"),
        };
        foreach (var (query, expected) in cases)
        {
            using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/metric-query", JsonContentOf(new { query }));
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
            Assert.That(answer.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
        }
    }

    [Test]
    public async Task SavedContent_BeyondItsSizeLimits_Returns400()
    {
        var cases = new (string Path, object Body, string Expected)[]
        {
            ($"/api/v1/projects/{_host.ProjectUuid}/sqlCharts", new { name = new string('n', 100_000), sql = "select 1" }, "at most 256"),
            ("/api/v1/users", new { email = $"long-{Guid.NewGuid():N}@example.com", name = new string('n', 100_000) }, "at most 256"),
            ($"/api/v1/projects/{_host.ProjectUuid}/dashboards", new { name = "Big", tiles = Enumerable.Range(0, 10_000).Select(_ => new { savedSqlUuid = Guid.NewGuid() }).ToArray() }, "at most 100"),
            ($"/api/v1/projects/{_host.ProjectUuid}/dashboards", new { name = "Odd", filters = new { dimensions = new[] { new { target = new { fieldId = "x" }, @operator = "equals", tileTargets = "all" } } } }, "tileTargets must be an object"),
        };
        foreach (var (path, body, expected) in cases)
        {
            using var response = await _host.Client.PostAsync(path, JsonContentOf(body));
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
            Assert.That(answer.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
        }
    }

    private static StringContent JsonContentOf(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    // A response is fine when it is below 500 and, if an error, carries the envelope with a plain message.
    private static async Task<string?> ProblemAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return $"{status}: {await response.Content.ReadAsStringAsync()}";
        }

        if (status < 400)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync();
        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            var error = body.GetProperty("error");
            var message = error.GetProperty("message").GetString() ?? "";
            if (body.GetProperty("status").GetString() != "error" || error.GetProperty("statusCode").GetInt32() != status || message.Length == 0)
            {
                return $"{status}: not the envelope: {text}";
            }

            return message.Contains("System.", StringComparison.Ordinal) || message.Contains("Exception", StringComparison.Ordinal)
                ? $"{status}: not in plain words: {message}"
                : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{status}: no envelope: \"{text}\"";
        }
    }

    private IEnumerable<(string Method, string Template, JsonObject Operation)> Operations()
    {
        foreach (var (template, item) in _document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                yield return (method.ToUpperInvariant(), template, operation!.AsObject());
            }
        }
    }

    private IEnumerable<(string What, HttpRequestMessage Request)> BadRequests(string method, string template, JsonObject operation)
    {
        var parameters = (operation["parameters"]?.AsArray() ?? []).Select(p => p!.AsObject()).ToList();
        var pathParameters = parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToList();
        var queryParameters = parameters.Where(p => (string?)p["in"] == "query").ToList();
        var body = operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } schema ? Resolve(schema) : null;
        string Url(Func<string, string>? pathValue = null, string query = "") =>
            pathParameters.Aggregate(template, (url, name) => url.Replace($"{{{name}}}", pathValue?.Invoke(name) ?? ValidPathValue(name), StringComparison.Ordinal)) + query;
        HttpRequestMessage Request(string url, string? json = null, string contentType = "application/json")
        {
            var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, contentType);
            }

            return request;
        }

        foreach (var name in pathParameters)
        {
            yield return ($"path {name} not a uuid", Request(Url(n => n == name ? "not-a-uuid" : ValidPathValue(n)), body is null ? null : "{}"));
            // (A NUL in the path never reaches the app: the server refuses to decode it.)
            yield return ($"path {name} unknown", Request(Url(n => n == name ? Guid.NewGuid().ToString() : ValidPathValue(n)), body is null ? null : "{}"));
        }

        foreach (var parameter in queryParameters)
        {
            var name = (string)parameter["name"]!;
            foreach (var (what, value) in new[] { ("empty", ""), ("NUL", "a%00b"), ("wrong type", "abc"), ("negative", "-5"), ("huge number", "99999999999999999999"), ("oversized", new string('z', 5000)) })
            {
                yield return ($"query {name} {what}", Request(Url(query: $"?{name}={value}"), body is null ? null : "{}"));
            }
        }

        if (body is null)
        {
            yield break;
        }

        yield return ("no body", Request(Url()));
        yield return ("empty object", Request(Url(), "{}"));
        yield return ("null body", Request(Url(), "null"));
        yield return ("array body", Request(Url(), "[]"));
        yield return ("not JSON", Request(Url(), "not json"));
        yield return ("text body", Request(Url(), "plain text", "text/plain"));
        yield return ("unknown property", Request(Url(), "{\"noSuchField\":1}"));
        foreach (var (property, propertySchema) in Properties(body))
        {
            foreach (var (what, value) in BadValues(propertySchema))
            {
                if (property == "requireUserCredentials" && what == "true")
                {
                    // Valid, and it would make every later query of the walk's project need a per-user login.
                    continue;
                }

                yield return ($"{property} {what}", Request(Url(), new JsonObject { [property] = value?.DeepClone() }.ToJsonString()));
            }
        }
    }

    private string ValidPathValue(string name) => name switch
    {
        "projectUuid" => _host.ProjectUuid.ToString(),
        "queryUuid" => _readyQuery.ToString(),
        "exploreName" or "uuidOrSlug" => "orders",
        _ => Guid.NewGuid().ToString(),
    };

    private IEnumerable<(string Name, JsonObject Schema)> Properties(JsonObject schema) =>
        (schema["properties"]?.AsObject() ?? []).Select(p => (p.Key, Resolve(p.Value!)));

    private static IEnumerable<(string What, JsonNode? Value)> BadValues(JsonObject schema)
    {
        var type = (string?)schema["type"];
        yield return ("null", null);
        yield return ("NUL text", JsonValue.Create(Nul));
        yield return ("oversized text", JsonValue.Create(Huge));
        yield return ("object", new JsonObject { ["x"] = 1 });
        yield return ("array of null", new JsonArray(null, null));
        yield return ("array with NUL", new JsonArray(JsonValue.Create(Nul)));
        yield return ("number", JsonValue.Create(-99999999999L));
        yield return ("true", JsonValue.Create(true));
        if (type is "object" or null)
        {
            yield return ("object of null", new JsonObject { ["a"] = null, ["dimensions"] = null, ["and"] = new JsonArray((JsonNode?)null) });
            yield return ("object of junk", new JsonObject { ["dimensions"] = "x", ["metrics"] = new JsonArray(1, 2), ["tileTargets"] = "x" });
        }
    }

    private JsonObject Resolve(JsonNode schema)
    {
        var node = schema.AsObject();
        if ((string?)node["$ref"] is { } reference)
        {
            return _document["components"]!["schemas"]![reference.Split('/')[^1]]!.AsObject();
        }

        return node["allOf"]?.AsArray() is [{ } single] ? Resolve(single) : node;
    }
}
