using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Lightdash.Net.Client;

/// <summary>
/// A client of the Lightdash.Net API. Every call takes a <see cref="CancellationToken"/>; a 429 or 503
/// (or no answer) is tried again with jittered exponential backoff, honouring <c>Retry-After</c>; an
/// error envelope becomes a <see cref="LightdashApiException"/>. Thread-safe: share one instance.
/// </summary>
public sealed partial class LightdashClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly LightdashClientOptions _options;

    // Presigned links point at the results storage, not at this API: a plain client of its own, which
    // (like a browser) undoes the gzip content encoding export files are stored with.
    private readonly Lazy<HttpClient> _downloads = new(() => new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    /// <summary>A client of the server at <paramref name="baseUrl"/> that authenticates with a personal access token.</summary>
    public LightdashClient(Uri baseUrl, string token, LightdashClientOptions? options = null)
        : this(new HttpClient { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan }, token, options)
    {
        _ownsHttp = true;
    }

    /// <summary>
    /// A client over an <see cref="HttpClient"/> made elsewhere (for example by <c>IHttpClientFactory</c>
    /// in an ASP.NET Core host); its <see cref="HttpClient.BaseAddress"/> must be the server's address.
    /// Its timeout should be longer than <see cref="LightdashClientOptions.LongPoll"/>.
    /// </summary>
    public LightdashClient(HttpClient http, string token, LightdashClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress: the server's address.", nameof(http));
        }

        _http = http;
        _options = options ?? new LightdashClientOptions();
        Token = token;
    }

    private string Token { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        if (_downloads.IsValueCreated)
        {
            _downloads.Value.Dispose();
        }

        if (_chunks.IsValueCreated)
        {
            _chunks.Value.Dispose();
        }
    }

    /// <summary>Sends a request (made anew for each try) and returns the answer's <c>results</c>.</summary>
    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var response = await SendRawAsync(method, path, body, HttpCompletionOption.ResponseContentRead, cancellationToken, headers).ConfigureAwait(false);
        var document = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        return document.TryGetProperty("results", out var results) ? results.Clone() : document.Clone();
    }

    /// <summary>Sends a request with retries; the answer is a success (2xx) or an exception is thrown.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string path, object? body, HttpCompletionOption completion, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path.TrimStart('/'));
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", Token);
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (body is not null)
            {
                request.Content = JsonContent.Create(body, body.GetType(), options: LightdashJson.Options);
            }

            HttpResponseMessage? response = null;
            try
            {
                response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < _options.MaxRetries)
            {
                await Task.Delay(Backoff.Delay(attempt, null, _options), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && attempt < _options.MaxRetries)
                {
                    await Task.Delay(Backoff.Delay(attempt, Backoff.RetryAfter(response), _options), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
    }

    private static async Task<LightdashApiException> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var data = error.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? d.Clone() : (JsonElement?)null;
                var sqlState = data is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty("sqlState", out var state) ? state.GetString() : null;
                return new LightdashApiException(
                    response.StatusCode,
                    error.TryGetProperty("name", out var name) ? name.GetString() ?? "Error" : "Error",
                    error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "",
                    data,
                    sqlState);
            }
        }
        catch (JsonException)
        {
            // Not the envelope: a proxy's page, say. The text is the message.
        }

        return new LightdashApiException(response.StatusCode, "HttpError", $"{(int)response.StatusCode} {response.ReasonPhrase}: {Truncate(text)}");
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";

    private static string Project(Guid projectUuid) => $"api/v2/projects/{projectUuid}/query";
}
