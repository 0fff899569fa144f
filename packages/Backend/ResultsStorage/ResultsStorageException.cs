using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>The results storage failed or could not be reached; the message is for the user.</summary>
public sealed class ResultsStorageException(string message, Exception? innerException = null) : UnavailableException(message, innerException)
{
    /// <inheritdoc />
    public override string Name => "ResultsStorageError";
}
