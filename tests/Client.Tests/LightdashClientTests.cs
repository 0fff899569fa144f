using System.Net;
using System.Text;
using System.Text.Json;

namespace Lightdash.Net.Client.Tests;

/// <summary>
/// The SDK's own rules without a server: retries (a 429 or 503 from a fake handler, the one fault a test
/// cannot cause on demand from the real server), signatures, and the bodies it sends.
/// </summary>
public class LightdashClientTests
{
    private static readonly Guid Project = Guid.NewGuid();

    private sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<(HttpRequestMessage Request, string? Body, DateTime At)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request, request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken), DateTime.UtcNow));
            return answers[Math.Min(_next++, answers.Length - 1)](request);
        }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) => new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static LightdashClient ClientOf(ScriptedHandler handler, int maxRetries = 5) =>
        new(new HttpClient(handler) { BaseAddress = new Uri("http://lightdash.test/") }, "ldpat_test", new LightdashClientOptions { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(1) });

    [Test]
    public async Task A429_IsTriedAgainAfterItsRetryAfter_ThenSucceeds()
    {
        var busy = Json(HttpStatusCode.TooManyRequests, """{"status":"error","error":{"name":"TooManyRequests","statusCode":429,"message":"slow down"}}""");
        busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
        var handler = new ScriptedHandler(
            _ => busy,
            _ => Json(HttpStatusCode.OK, $$$$"""{"status":"ok","results":{"queryUuid":"{{{{Guid.Empty}}}}","cacheMetadata":{"cacheHit":false}}}"""));
        using var client = ClientOf(handler);

        var submitted = await client.SubmitAsync(Project, QueryRequest.Sql("select 1"));

        Assert.That(submitted.QueryUuid, Is.EqualTo(Guid.Empty));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
        Assert.That(handler.Requests[1].At - handler.Requests[0].At, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)), "Retry-After was honoured");
        Assert.That(handler.Requests[1].Body, Is.EqualTo(handler.Requests[0].Body), "the same body is sent again");
    }

    [Test]
    public async Task A503_BeyondTheRetries_IsALightdashApiExceptionWithTheEnvelope()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.ServiceUnavailable, """{"status":"error","error":{"name":"ResultsStorageError","statusCode":503,"message":"S3 is down"}}"""));
        using var client = ClientOf(handler, maxRetries: 2);

        var error = await ThrowsAsync<LightdashApiException>(() => client.GetResultAsync(Project, Guid.NewGuid()));

        Assert.That((error.StatusCode, error.Name, error.Message), Is.EqualTo((HttpStatusCode.ServiceUnavailable, "ResultsStorageError", "S3 is down")));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A400_IsNotTriedAgain()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.BadRequest, """{"status":"error","error":{"name":"ParameterError","statusCode":400,"message":"sql is required"}}"""));
        using var client = ClientOf(handler);
        await ThrowsAsync<LightdashApiException>(() => client.SubmitAsync(Project, QueryRequest.Sql("")));
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task EveryRequest_CarriesTheToken_AndPriorityAndCallbackGoInTheBody()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, $$$$"""{"status":"ok","results":{"queryUuid":"{{{{Guid.NewGuid()}}}}","cacheMetadata":{"cacheHit":true}}}"""));
        using var client = ClientOf(handler);

        var submitted = await client.SubmitAsync(Project, QueryRequest.SavedChart(Guid.Empty).WithPriority(QueryPriority.Low).WithCallback(new Uri("https://example.com/done"), "s3cret-value"));

        var (request, body, _) = handler.Requests.Single();
        Assert.That(request.Headers.Authorization!.ToString(), Is.EqualTo("ApiKey ldpat_test"));
        Assert.That(request.RequestUri!.AbsolutePath, Is.EqualTo($"/api/v2/projects/{Project}/query/chart"));
        using var sent = JsonDocument.Parse(body!);
        Assert.That(sent.RootElement.GetProperty("priority").GetString(), Is.EqualTo("low"));
        Assert.That(sent.RootElement.GetProperty("callback").GetProperty("url").GetString(), Is.EqualTo("https://example.com/done"));
        Assert.That(sent.RootElement.TryGetProperty("versionUuid", out _), Is.False, "nulls are left out");
        Assert.That(submitted.CacheHit, Is.True);
    }

    [Test]
    public async Task APage_IsReadAsRawValues()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, $$$$"""
            {"status":"ok","results":{"queryUuid":"{{{{Guid.Empty}}}}","status":"ready","page":1,"totalPageCount":1,"totalResults":1,
             "columns":{"id":{"reference":"id","type":"number"}},
             "rows":[{"id":{"value":{"raw":7,"formatted":"7.00"}},"name":{"value":{"raw":"seven","formatted":"seven"}}}]}}
            """));
        using var client = ClientOf(handler);

        var page = await client.GetResultAsync(Project, Guid.Empty);

        Assert.That(page!.Rows.Single().GetRawText(), Is.EqualTo("""{"id":7,"name":"seven"}"""));
        Assert.That(page.Columns["id"], Is.EqualTo("number"));
    }

    [Test]
    public async Task AFailedQuery_IsAQueryFailedException()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, $$$$"""{"status":"ok","results":{"queryUuid":"{{{{Guid.Empty}}}}","status":"error","error":"division by zero","errorSqlState":"22012"}}"""));
        using var client = ClientOf(handler);
        var failure = await ThrowsAsync<QueryFailedException>(() => client.GetResultAsync(Project, Guid.Empty));
        Assert.That((failure.Status, failure.SqlState, failure.Message), Is.EqualTo((QueryStatus.Error, "22012", "division by zero")));
    }

    [Test]
    public void ASignature_VerifiesOnlyForItsSecret_BodyAndTime()
    {
        var body = Encoding.UTF8.GetBytes("""{"queryUuid":"x","status":"ready"}""");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var signature = CallbackSignature.Sign("the-secret", now.ToUnixTimeSeconds(), body);
        var stamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.That(CallbackSignature.Verify("the-secret", stamp, signature, body, now: now), Is.True);
        Assert.That(CallbackSignature.Verify("other-secret", stamp, signature, body, now: now), Is.False);
        Assert.That(CallbackSignature.Verify("the-secret", stamp, signature, [.. body, (byte)' '], now: now), Is.False);
        Assert.That(CallbackSignature.Verify("the-secret", stamp, signature, body, now: now.AddMinutes(6)), Is.False, "a replay after the tolerance");
        Assert.That(CallbackSignature.Verify("the-secret", null, signature, body, now: now), Is.False);
    }

    private static async Task<T> ThrowsAsync<T>(Func<Task> call)
        where T : Exception
    {
        try
        {
            await call();
        }
        catch (T expected)
        {
            return expected;
        }

        Assert.Fail($"{typeof(T).Name} was not thrown");
        throw new InvalidOperationException();
    }
}
