using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Lightdash.Net.Common;

namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>
/// What DuckDB says a query's columns are (<c>DESCRIBE</c>), and the SQL that reads the ones .NET
/// cannot carry exactly as text: nested values (lists, structs, maps) as DuckDB's own JSON, decimals
/// wider than <see cref="decimal"/> and intervals as text. Everything else is read natively.
/// </summary>
internal sealed partial class DuckDbColumnPlan
{
    private const int WidestDotNetDecimal = 28;

    private DuckDbColumnPlan(IReadOnlyList<(string Name, string Type)> columns) => Columns = columns;

    /// <summary>Each column's name and DuckDB type, as <c>DESCRIBE</c> gives them.</summary>
    public IReadOnlyList<(string Name, string Type)> Columns { get; }

    /// <summary>How a column is read.</summary>
    public enum Reading
    {
        /// <summary>Natively, through the driver's .NET type.</summary>
        Native,

        /// <summary>As JSON text produced by DuckDB (<c>to_json</c>), copied as is.</summary>
        Json,

        /// <summary>As the text of an exact number, copied as a JSON number.</summary>
        NumberText,

        /// <summary>As text, written as a JSON string.</summary>
        Text,
    }

    /// <summary>Describes <paramref name="sql"/>; null when DuckDB cannot describe it (not a query).</summary>
    public static DuckDbColumnPlan? Describe(DuckDBConnection connection, string sql, IReadOnlyList<object?>? parameters = null)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DESCRIBE " + SqlText.TrimTrailingSemicolons(sql);
            Bind(command, parameters);
            using var reader = command.ExecuteReader();
            var columns = new List<(string, string)>();
            while (reader.Read())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }

            return new DuckDbColumnPlan(columns);
        }
        catch (DuckDBException)
        {
            // Not describable (PRAGMA, SHOW...): run it as it is; a real error surfaces when it runs.
            return null;
        }
    }

    /// <summary>Binds <paramref name="parameters"/> to the positional placeholders (<c>$1</c>, <c>$2</c>...) of the command, in order.</summary>
    public static void Bind(DuckDBCommand command, IReadOnlyList<object?>? parameters)
    {
        foreach (var value in parameters ?? [])
        {
            command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        }
    }

    /// <summary>How the column of this DuckDB type is read.</summary>
    public static Reading ReadingOf(string type)
    {
        var upper = type.ToUpperInvariant();
        if (upper.EndsWith(']') || upper.StartsWith("STRUCT", StringComparison.Ordinal) || upper.StartsWith("MAP", StringComparison.Ordinal) ||
            upper.StartsWith("UNION", StringComparison.Ordinal) || upper == "JSON")
        {
            return Reading.Json;
        }

        if (DecimalPattern().Match(upper) is { Success: true } match && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > WidestDotNetDecimal)
        {
            return Reading.NumberText;
        }

        return upper == "INTERVAL" ? Reading.Text : Reading.Native;
    }

    /// <summary>The shown type of a DuckDB type name (from <c>DESCRIBE</c> or the driver).</summary>
    public static DimensionType DimensionTypeOf(string type)
    {
        var upper = type.ToUpperInvariant();
        var bare = upper.Split('(')[0].Trim();
        if (upper.EndsWith(']'))
        {
            return DimensionType.String;
        }

        return bare switch
        {
            "BOOLEAN" => DimensionType.Boolean,
            "DATE" => DimensionType.Date,
            _ when bare.StartsWith("TIMESTAMP", StringComparison.Ordinal) => DimensionType.Timestamp,
            "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT" or "UHUGEINT"
                or "UNSIGNEDTINYINT" or "UNSIGNEDSMALLINT" or "UNSIGNEDINTEGER" or "UNSIGNEDBIGINT" or "UNSIGNEDHUGEINT" or "VARINT"
                or "FLOAT" or "DOUBLE" or "REAL" or "DECIMAL" => DimensionType.Number,
            _ => DimensionType.String,
        };
    }

    /// <summary>The SQL that reads every column as planned; <paramref name="sql"/> itself when nothing needs rewriting.</summary>
    public string Rewrite(string sql)
    {
        var replacements = new List<string>();
        foreach (var (name, type) in Columns)
        {
            var quoted = DuckDbSqlDialect.Instance.QuoteIdentifier(name);
            switch (ReadingOf(type))
            {
                case Reading.Json:
                    replacements.Add($"CAST(to_json({quoted}) AS VARCHAR) AS {quoted}");
                    break;
                case Reading.NumberText or Reading.Text:
                    replacements.Add($"CAST({quoted} AS VARCHAR) AS {quoted}");
                    break;
            }
        }

        if (replacements.Count == 0)
        {
            return sql;
        }

        return new StringBuilder()
            .Append("SELECT * REPLACE (").AppendJoin(", ", replacements).Append(") FROM (\n")
            .Append(SqlText.TrimTrailingSemicolons(sql))
            .Append("\n) AS lightdash_source")
            .ToString();
    }

    [GeneratedRegex(@"^DECIMAL\((\d+),\s*\d+\)$")]
    private static partial Regex DecimalPattern();
}
