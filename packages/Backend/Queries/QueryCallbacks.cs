using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Queries;

/// <summary>The rules of a completion callback as a request gives it.</summary>
public static class QueryCallbacks
{
    /// <summary>The column the secret is sealed for (part of what the seal binds).</summary>
    public const string SecretColumn = "query_history.callback_secret";

    /// <summary>The longest address.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>The shortest and longest secret.</summary>
    public const int MinSecretLength = 8, MaxSecretLength = 256;

    /// <summary>The address as given, checked; null without a callback; 400 when it is not a usable http(s) address or the secret is out of bounds.</summary>
    public static string? CheckedUrl(QueryCallbackRequest? callback)
    {
        if (callback is null)
        {
            return null;
        }

        var url = callback.Url?.Trim();
        if (url is null || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ValidationException($"callback.url must be an absolute http or https URL without credentials (at most {MaxUrlLength} characters).");
        }

        if (callback.Secret is { } secret && (secret.Length < MinSecretLength || secret.Length > MaxSecretLength || secret.Any(char.IsControl)))
        {
            throw new ValidationException($"callback.secret must be {MinSecretLength} to {MaxSecretLength} printable characters.");
        }

        return uri.AbsoluteUri;
    }
}
