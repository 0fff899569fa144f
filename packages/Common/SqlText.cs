namespace Lightdash.Net.Common;

/// <summary>Small text helpers for users' SQL.</summary>
public static class SqlText
{
    /// <summary>The SQL without trailing white space and semicolons, so that it can be wrapped in a subquery.</summary>
    public static string TrimTrailingSemicolons(string sql)
    {
        var end = sql.Length;
        while (end > 0 && (char.IsWhiteSpace(sql[end - 1]) || sql[end - 1] == ';'))
        {
            end--;
        }

        return sql[..end];
    }
}
