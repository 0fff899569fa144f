namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// A service the backend needs failed or could not be reached (503): the caller may retry, the server
/// stays up, and the failure is logged as a warning. Each capability names its own (for example
/// <c>ResultsStorageError</c>).
/// </summary>
public abstract class UnavailableException(string message, Exception? innerException) : ApiException(message, innerException)
{
    /// <inheritdoc />
    public override int StatusCode => StatusCodes.Status503ServiceUnavailable;
}
