namespace Lightdash.Net.Backend.Platform;

/// <summary>The named project, query or page does not exist (404).</summary>
public sealed class NotFoundException(string message) : ApiException(message)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status404NotFound;

    /// <inheritdoc />
    public override string Name => "NotFoundError";
}
