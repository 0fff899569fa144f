using Microsoft.Net.Http.Headers;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Choosing between a route's formats by the request's <c>Accept</c> header.</summary>
public static class AcceptNegotiation
{
    /// <summary>
    /// True when <paramref name="request"/>'s <c>Accept</c> names <paramref name="wanted"/> with a quality above 0
    /// and no lower than that of <paramref name="usual"/> (the route's default format), when that is named too.
    /// </summary>
    public static bool Prefers(HttpRequest request, string wanted, string usual)
    {
        var accepted = request.GetTypedHeaders().Accept;
        var named = Find(accepted, wanted);
        if (named is null || named.Quality == 0)
        {
            return false;
        }

        var other = Find(accepted, usual);
        return other is null || (named.Quality ?? 1) >= (other.Quality ?? 1);
    }

    private static MediaTypeHeaderValue? Find(IList<MediaTypeHeaderValue> accepted, string mediaType) =>
        accepted.FirstOrDefault(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));
}
