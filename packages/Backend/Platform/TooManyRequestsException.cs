namespace Lightdash.Net.Backend.Platform;

/// <summary>A limit on how much one caller may hold at once is reached (429).</summary>
public sealed class TooManyRequestsException(string message) : ApiException(message)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status429TooManyRequests;

    /// <inheritdoc />
    public override string Name => "TooManyRequestsError";
}
