namespace Lightdash.Net.Backend.Platform;

/// <summary>The body of every failed request.</summary>
public sealed class ApiErrorResponse
{
    /// <summary>Always <c>error</c>.</summary>
    public string Status { get; init; } = "error";

    /// <summary>What went wrong.</summary>
    public required ApiError Error { get; init; }
}

/// <summary>What went wrong, in words for the caller.</summary>
public sealed class ApiError
{
    /// <summary>The kind of error: <c>ParameterError</c>, <c>NotFoundError</c>, <c>ConflictError</c>, <c>UnexpectedServerError</c>...</summary>
    public required string Name { get; init; }

    /// <summary>The HTTP status code, repeated.</summary>
    public required int StatusCode { get; init; }

    /// <summary>A sentence saying what went wrong and, where possible, how to fix it.</summary>
    public required string Message { get; init; }

    /// <summary>Extra facts (for example which fields failed validation), or absent.</summary>
    public object? Data { get; init; }
}
