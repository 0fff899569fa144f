namespace Lightdash.Net.Backend.Platform;

/// <summary>The request does not fit the resource's current state (409).</summary>
public sealed class ConflictException(string message) : ApiException(message)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status409Conflict;

    /// <inheritdoc />
    public override string Name => "ConflictError";
}
