namespace Lightdash.Net.Backend.Platform;

/// <summary>The request is malformed or out of range (400).</summary>
public sealed class ValidationException(string message, object? data = null) : ApiException(message, data)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status400BadRequest;

    /// <inheritdoc />
    public override string Name => "ParameterError";
}
