namespace Lightdash.Net.Backend.Platform;

/// <summary>The body of every successful request.</summary>
/// <typeparam name="T">The type of <see cref="Results"/>.</typeparam>
public sealed class ApiResponse<T>
{
    /// <summary>Always <c>ok</c>.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>The route's answer.</summary>
    public required T Results { get; init; }
}

/// <summary>Wraps results in the success envelope.</summary>
public static class ApiResponse
{
    /// <summary>The success envelope around <paramref name="results"/>.</summary>
    public static ApiResponse<T> Ok<T>(T results) => new() { Results = results };
}
