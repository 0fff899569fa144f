namespace Lightdash.Net.Backend.Platform;

/// <summary>The resource existed and has ended (410): an expired statement, results that were deleted.</summary>
public sealed class GoneException(string message) : ApiException(message)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status410Gone;

    /// <inheritdoc />
    public override string Name => "GoneError";
}
