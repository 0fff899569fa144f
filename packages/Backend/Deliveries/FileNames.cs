namespace Lightdash.Net.Backend.Deliveries;

/// <summary>File names made from free text.</summary>
public static class FileNames
{
    /// <summary>Letters, digits, '-' and '_' of <paramref name="name"/> (others become '-'), at most 100 characters; <c>delivery</c> when nothing is left.</summary>
    public static string Slug(string name)
    {
        var slug = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "delivery" : slug.Length > 100 ? slug[..100] : slug;
    }
}
