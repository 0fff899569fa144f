using System.Text;

namespace Lightdash.Net.Warehouses;

/// <summary>
/// Who a warehouse statement is for, carried in the warehouse's own tagging so that its admin can
/// find and bill it: PostgreSQL's <c>application_name</c>, and a leading SQL comment on every warehouse.
/// </summary>
/// <param name="QueryUuid">The query.</param>
/// <param name="UserUuid">Who submitted it, if known.</param>
/// <param name="ProjectUuid">Its project.</param>
/// <param name="Context">Where it came from (<c>api</c>, <c>dashboardView</c>...).</param>
public sealed record QueryTag(Guid QueryUuid, Guid? UserUuid, Guid ProjectUuid, string Context)
{
    /// <summary>The application name: <c>lightdash-net {queryUuid}</c> (within PostgreSQL's 63 bytes).</summary>
    public string ApplicationName => $"lightdash-net {QueryUuid}";

    /// <summary>
    /// <c>/* lightdash-net queryUuid=… userUuid=… projectUuid=… context=… */</c>, with only letters,
    /// digits, dots, dashes and underscores of the context kept, so that it can never end the comment.
    /// </summary>
    public string SqlComment()
    {
        var context = new StringBuilder(Context.Length);
        foreach (var c in Context)
        {
            if (IsContextCharacter(c))
            {
                context.Append(c);
            }
        }

        return $"/* lightdash-net queryUuid={QueryUuid} userUuid={(UserUuid is { } user ? user.ToString() : "none")} projectUuid={ProjectUuid} context={context} */";
    }

    /// <summary>A character a context may hold: a letter, a digit, '.', '-' or '_' (never one that could end a comment).</summary>
    public static bool IsContextCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';

    /// <summary>The statement with its tag in front (on a line of its own), or as it is without a tag.</summary>
    public static string Prefix(QueryTag? tag, string sql) => tag is null ? sql : tag.SqlComment() + "\n" + sql;
}
