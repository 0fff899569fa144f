namespace Lightdash.Net.Backend.Platform;

/// <summary>A failure that reaches the caller as the error envelope with its status code.</summary>
public abstract class ApiException : Exception
{
    /// <summary>Creates the exception with a message meant for the caller.</summary>
    protected ApiException(string message, object? data = null)
        : base(message)
    {
        ErrorData = data;
    }

    /// <summary>Creates the exception with a message meant for the caller and the failure behind it.</summary>
    protected ApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status code.</summary>
    public abstract int StatusCode { get; }

    /// <summary>The error's name in the envelope (for example <c>NotFoundError</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Extra facts for the caller, or null.</summary>
    public object? ErrorData { get; }
}
