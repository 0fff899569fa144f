namespace Lightdash.Net.Backend.Platform;

/// <summary>A limit on how much one caller may hold or send is reached (429); with a time to retry after, when one is known.</summary>
public sealed class TooManyRequestsException(string message, TimeSpan? retryAfter = null) : ApiException(message)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status429TooManyRequests;

    /// <inheritdoc />
    public override string Name => "TooManyRequestsError";

    /// <summary>When the caller may try again (sent as <c>Retry-After</c>), or null.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
