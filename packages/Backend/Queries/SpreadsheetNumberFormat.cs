using System.Globalization;
using System.Text;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// Spreadsheet-style number formats, as Lightdash accepts in a field's <c>format</c>:
/// <c>#,##0.00%</c>, <c>$#,##0.00</c>, <c>0.0</c>, <c>"€"#,##0</c>, <c>[$£]#,##0.00</c>, <c>#,##0,"K"</c>.
/// Digits come from <c>0</c> (always shown) and <c>#</c> (shown when significant); a comma between
/// digit places groups thousands, commas after the last one divide by 1000 each; <c>%</c> multiplies
/// by 100; everything else (quoted text, <c>\x</c>, <c>[$symbol]</c>, other characters) is shown as written.
/// Of sections separated by <c>;</c>, the first formats positive numbers and the second, when given,
/// negative ones (without a sign of its own, as in spreadsheets).
/// </summary>
public sealed class SpreadsheetNumberFormat
{
    private readonly string _prefix;
    private readonly string _suffix;
    private readonly bool _grouping;
    private readonly int _minIntegerDigits;
    private readonly int _minDecimals;
    private readonly int _maxDecimals;
    private readonly int _scaleDown;
    private readonly bool _percent;

    private SpreadsheetNumberFormat(string prefix, string suffix, bool grouping, int minIntegerDigits, int minDecimals, int maxDecimals, int scaleDown, bool percent)
    {
        (_prefix, _suffix, _grouping, _minIntegerDigits, _minDecimals, _maxDecimals, _scaleDown, _percent) =
            (prefix, suffix, grouping, minIntegerDigits, minDecimals, maxDecimals, scaleDown, percent);
    }

    /// <summary>True when the format is a spreadsheet pattern (it has a digit placeholder) rather than a named format.</summary>
    public static bool IsPattern(string? format) => format is not null && format.AsSpan().IndexOfAny('0', '#') >= 0;

    /// <summary>The number's text in the pattern (first section for positive numbers and zero, the second for negatives when given).</summary>
    public static string Format(decimal number, string pattern)
    {
        var sections = SplitSections(pattern);
        if (number < 0 && sections.Count > 1)
        {
            return Parse(sections[1]).Apply(-number);
        }

        var text = Parse(sections[0]).Apply(Math.Abs(number));
        return number < 0 ? "-" + text : text;
    }

    private string Apply(decimal number)
    {
        if (_percent)
        {
            number *= 100;
        }

        for (var i = 0; i < _scaleDown; i++)
        {
            number /= 1000;
        }

        number = Math.Round(number, _maxDecimals, MidpointRounding.AwayFromZero);
        var integerText = Math.Truncate(number).ToString(_grouping ? "#,##0" : "0", CultureInfo.InvariantCulture);
        var digits = integerText.Count(char.IsAsciiDigit);
        if (digits < _minIntegerDigits)
        {
            integerText = new string('0', _minIntegerDigits - digits) + integerText;
        }
        else if (_minIntegerDigits == 0 && integerText == "0")
        {
            integerText = "";
        }

        var fraction = (number - Math.Truncate(number)).ToString("F" + _maxDecimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var decimals = _maxDecimals > 0 ? fraction[(fraction.IndexOf('.', StringComparison.Ordinal) + 1)..].TrimEnd('0') : "";
        if (decimals.Length < _minDecimals)
        {
            decimals = decimals.PadRight(_minDecimals, '0');
        }

        var body = decimals.Length > 0 ? $"{integerText}.{decimals}" : integerText.Length > 0 ? integerText : "0";
        return _prefix + body + _suffix;
    }

    private static List<string> SplitSections(string pattern)
    {
        var sections = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\\' && !quoted && i + 1 < pattern.Length)
            {
                current.Append(c).Append(pattern[++i]);
                continue;
            }
            else if (c == ';' && !quoted)
            {
                sections.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        sections.Add(current.ToString());
        return sections;
    }

    private static SpreadsheetNumberFormat Parse(string section)
    {
        var prefix = new StringBuilder();
        var suffix = new StringBuilder();
        var inNumber = false;
        var afterNumber = false;
        var sawPoint = false;
        var grouping = false;
        var (minInteger, minDecimals, maxDecimals, trailingCommas) = (0, 0, 0, 0);
        var percent = false;
        for (var i = 0; i < section.Length; i++)
        {
            var c = section[i];
            var literal = afterNumber || inNumber ? suffix : prefix;
            switch (c)
            {
                case '"':
                    var end = section.IndexOf('"', i + 1);
                    end = end < 0 ? section.Length : end;
                    EndNumber();
                    (inNumber || afterNumber ? suffix : prefix).Append(section, i + 1, end - i - 1);
                    i = end;
                    break;
                case '\\' when i + 1 < section.Length:
                    EndNumber();
                    (afterNumber ? suffix : prefix).Append(section[++i]);
                    break;
                case '[':
                    var close = section.IndexOf(']', i + 1);
                    close = close < 0 ? section.Length : close;
                    var inside = section[(i + 1)..close];
                    if (inside.StartsWith('$'))
                    {
                        EndNumber();
                        var symbol = inside[1..];
                        var dash = symbol.IndexOf('-', StringComparison.Ordinal);
                        (afterNumber ? suffix : prefix).Append(dash >= 0 ? symbol[..dash] : symbol);
                    }

                    i = close;
                    break;
                case '0' or '#' or '?' when !afterNumber:
                    inNumber = true;
                    if (trailingCommas > 0)
                    {
                        grouping = true; // a comma followed by more digit places groups thousands
                        trailingCommas = 0;
                    }

                    if (sawPoint)
                    {
                        maxDecimals++;
                        minDecimals += c == '0' ? 1 : 0;
                    }
                    else
                    {
                        minInteger += c == '0' ? 1 : 0;
                    }

                    break;
                case ',' when inNumber && !sawPoint:
                    trailingCommas++;
                    break;
                case '.' when inNumber || (!afterNumber && i + 1 < section.Length && section[i + 1] is '0' or '#'):
                    inNumber = true;
                    sawPoint = true;
                    break;
                case '%':
                    percent = true;
                    EndNumber();
                    (afterNumber ? suffix : prefix).Append('%');
                    break;
                default:
                    EndNumber();
                    literal = afterNumber ? suffix : prefix;
                    literal.Append(c);
                    break;
            }
        }

        return new SpreadsheetNumberFormat(prefix.ToString(), suffix.ToString(), grouping, minInteger, minDecimals, maxDecimals, trailingCommas, percent);

        void EndNumber()
        {
            if (inNumber)
            {
                inNumber = false;
                afterNumber = true;
            }
        }
    }
}
