using System.Globalization;
using System.Text;

namespace Lightdash.Net.Common;

/// <summary>
/// Bind-variable placeholders as Snowflake writes them (<c>?</c>, numbered in order, and <c>:1</c>,
/// <c>:2</c>...) turned into the positional <c>$1</c>, <c>$2</c>... that PostgreSQL and DuckDB bind.
/// Quoted text, quoted identifiers, dollar-quoted bodies, comments and <c>::</c> casts are left as
/// they are, so a value is never spliced into the SQL: it travels beside it.
/// </summary>
public static class SqlPlaceholders
{
    /// <summary>The rewritten SQL and the placeholder numbers it uses (1-based, each once).</summary>
    /// <param name="Sql">The SQL with <c>$N</c> placeholders.</param>
    /// <param name="Numbers">Every placeholder number used, ascending.</param>
    public sealed record Rewritten(string Sql, IReadOnlyList<int> Numbers);

    /// <summary>Rewrites the placeholders of <paramref name="sql"/>.</summary>
    public static Rewritten Rewrite(string sql)
    {
        var builder = new StringBuilder(sql.Length + 16);
        var used = new SortedSet<int>();
        var sequence = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var skipped = SkipQuotedOrComment(sql, i);
            if (skipped > i)
            {
                builder.Append(sql, i, skipped - i);
                i = skipped;
                continue;
            }

            if (c == '?')
            {
                sequence++;
                used.Add(sequence);
                builder.Append('$').Append(sequence.ToString(CultureInfo.InvariantCulture));
                i++;
                continue;
            }

            if (c == ':' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]) && (i == 0 || sql[i - 1] != ':'))
            {
                var end = i + 1;
                while (end < sql.Length && char.IsAsciiDigit(sql[end]))
                {
                    end++;
                }

                if (int.TryParse(sql.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
                {
                    used.Add(number);
                    builder.Append('$').Append(number.ToString(CultureInfo.InvariantCulture));
                    i = end;
                    continue;
                }
            }

            builder.Append(c);
            i++;
        }

        return new Rewritten(builder.ToString(), [.. used]);
    }

    /// <summary>The index just past a quoted string, quoted identifier, dollar-quoted body or comment starting at <paramref name="start"/>; <paramref name="start"/> when none starts there.</summary>
    private static int SkipQuotedOrComment(string sql, int start) => sql[start] switch
    {
        '\'' or '"' => SkipQuoted(sql, start),
        '-' when start + 1 < sql.Length && sql[start + 1] == '-' => SkipPast(sql, "\n", start),
        '/' when start + 1 < sql.Length && sql[start + 1] == '*' => SkipPast(sql, "*/", start + 2),
        '$' => SkipDollarQuoted(sql, start),
        _ => start,
    };

    // Past the next occurrence of the end marker, or to the end of the text.
    private static int SkipPast(string sql, string marker, int from)
    {
        var end = sql.IndexOf(marker, from, StringComparison.Ordinal);
        return end < 0 ? sql.Length : end + marker.Length;
    }

    // A doubled quote inside is part of the text; an unterminated one runs to the end.
    private static int SkipQuoted(string sql, int start)
    {
        var quote = sql[start];
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return sql.Length;
    }

    // $tag$ ... $tag$ (tag may be empty); $1 is a placeholder already, not a quote, and a $ inside an
    // identifier (a$b) starts nothing.
    private static int SkipDollarQuoted(string sql, int start)
    {
        if (start > 0 && (char.IsAsciiLetterOrDigit(sql[start - 1]) || sql[start - 1] == '_'))
        {
            return start;
        }

        var i = start + 1;
        while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '_'))
        {
            i++;
        }

        if (i >= sql.Length || sql[i] != '$' || (i > start + 1 && char.IsAsciiDigit(sql[start + 1])))
        {
            return start;
        }

        var tag = sql.Substring(start, i - start + 1);
        return SkipPast(sql, tag, i + 1);
    }
}
