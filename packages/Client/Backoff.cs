namespace Lightdash.Net.Client;

/// <summary>Delays between tries: exponential with full jitter, capped; a server's <c>Retry-After</c> wins.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan? retryAfter, LightdashClientOptions options)
    {
        if (retryAfter is { } after)
        {
            return after < options.MaxRetryDelay ? after : options.MaxRetryDelay;
        }

        var ceiling = Math.Min(options.MaxRetryDelay.TotalMilliseconds, options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
}
