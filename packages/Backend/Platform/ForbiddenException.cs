namespace Lightdash.Net.Backend.Platform;

/// <summary>The caller is known but may not do this (403).</summary>
public sealed class ForbiddenException(string message) : ApiException(message)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status403Forbidden;

    /// <inheritdoc />
    public override string Name => "ForbiddenError";
}
