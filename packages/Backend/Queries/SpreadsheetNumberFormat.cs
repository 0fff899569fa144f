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

    private static SpreadsheetNumberFormat Parse(string section) => new SectionParser(section).Parse();

    /// <summary>Reads one section of a pattern, left to right: literal text before and after the number, and the number's places.</summary>
    private sealed class SectionParser(string section)
    {
        private readonly StringBuilder _prefix = new();
        private readonly StringBuilder _suffix = new();
        private bool _inNumber;
        private bool _afterNumber;
        private bool _sawPoint;
        private bool _grouping;
        private bool _percent;
        private int _minInteger;
        private int _minDecimals;
        private int _maxDecimals;
        private int _trailingCommas;

        public SpreadsheetNumberFormat Parse()
        {
            for (var i = 0; i < section.Length; i++)
            {
                i = Step(i);
            }

            return new SpreadsheetNumberFormat(
                _prefix.ToString(), _suffix.ToString(), _grouping, _minInteger, _minDecimals, _maxDecimals, _trailingCommas, _percent);
        }

        // Reads the character at i (and what belongs to it); returns the index of the last one read.
        private int Step(int i)
        {
            var c = section[i];
            switch (c)
            {
                case '"':
                    return Quoted(i);
                case '\\' when i + 1 < section.Length:
                    EndNumber();
                    Literal().Append(section[i + 1]);
                    return i + 1;
                case '[':
                    return Bracketed(i);
                case '0' or '#' or '?' when !_afterNumber:
                    DigitPlace(c);
                    return i;
                case ',' when _inNumber && !_sawPoint:
                    _trailingCommas++;
                    return i;
                case '.' when _inNumber || (!_afterNumber && i + 1 < section.Length && section[i + 1] is '0' or '#'):
                    _inNumber = true;
                    _sawPoint = true;
                    return i;
                case '%':
                    _percent = true;
                    EndNumber();
                    Literal().Append('%');
                    return i;
                default:
                    EndNumber();
                    Literal().Append(c);
                    return i;
            }
        }

        private StringBuilder Literal() => _afterNumber ? _suffix : _prefix;

        private int Quoted(int i)
        {
            var end = section.IndexOf('"', i + 1);
            end = end < 0 ? section.Length : end;
            EndNumber();
            Literal().Append(section, i + 1, end - i - 1);
            return end;
        }

        // [$€-407]: a currency symbol (before its locale); any other bracket ([Red], [>100]) is left out.
        private int Bracketed(int i)
        {
            var close = section.IndexOf(']', i + 1);
            close = close < 0 ? section.Length : close;
            var inside = section[(i + 1)..close];
            if (inside.StartsWith('$'))
            {
                EndNumber();
                var symbol = inside[1..];
                var dash = symbol.IndexOf('-', StringComparison.Ordinal);
                Literal().Append(dash >= 0 ? symbol[..dash] : symbol);
            }

            return close;
        }

        private void DigitPlace(char c)
        {
            _inNumber = true;
            if (_trailingCommas > 0)
            {
                _grouping = true; // a comma followed by more digit places groups thousands
                _trailingCommas = 0;
            }

            if (_sawPoint)
            {
                _maxDecimals++;
                _minDecimals += c == '0' ? 1 : 0;
            }
            else
            {
                _minInteger += c == '0' ? 1 : 0;
            }
        }

        private void EndNumber()
        {
            if (_inNumber)
            {
                _inNumber = false;
                _afterNumber = true;
            }
        }
    }
}
