namespace Portal.Core.Access;

/// <summary>An endpoint rule as the matcher holds it.</summary>
public sealed record CompiledRule(Guid Id, string Method, string Template, string Scope);

/// <summary>
/// An organization's endpoint rules compiled into a tree of path segments. A request path is
/// walked segment by segment, trying a literal child first, then a parameter, then a catch-all,
/// so the most specific template wins at the first segment where templates differ; at one
/// template a rule for the exact method wins over one for any method. No allocation per match.
/// </summary>
public sealed class EndpointRuleMatcher
{
    /// <summary>The match of a path that was refused before matching (dot segments, encoded slashes).</summary>
    public const int Refused = -2;

    public const int NoMatch = -1;

    private readonly Node _root = new();

    public EndpointRuleMatcher(IEnumerable<CompiledRule> rules, bool allowUnmatched)
    {
        AllowUnmatched = allowUnmatched;
        Rules = [.. rules];
        for (var i = 0; i < Rules.Length; i++)
        {
            var rule = Rules[i];
            var template = PathTemplate.TryParse(rule.Template, out _)
                ?? throw new ArgumentException($"'{rule.Template}' is not a valid template.", nameof(rules));
            var node = _root;
            var catchAll = false;
            foreach (var segment in template.Segments)
            {
                switch (segment.Kind)
                {
                    case PathTemplate.SegmentKind.Literal:
                        node.Literals ??= new Dictionary<string, Node>(StringComparer.Ordinal);
                        if (!node.Literals.TryGetValue(segment.Literal, out var child))
                        {
                            node.Literals[segment.Literal] = child = new Node();
                        }

                        node = child;
                        break;
                    case PathTemplate.SegmentKind.Parameter:
                        node = node.Parameter ??= new Node();
                        break;
                    default:
                        catchAll = true;
                        break;
                }
            }

            var methods = catchAll ? node.CatchAll ??= new MethodTable() : node.Terminal ??= new MethodTable();
            methods.Add(rule.Method, i);
        }

        _root.Freeze();
    }

    public static EndpointRuleMatcher Empty { get; } = new([], allowUnmatched: false);

    /// <summary>The organization's choice for requests that match no rule: allow any valid key, or deny.</summary>
    public bool AllowUnmatched { get; }

    public CompiledRule[] Rules { get; }

    /// <summary>
    /// The index in <see cref="Rules"/> of the rule for this request, <see cref="NoMatch"/>, or
    /// <see cref="Refused"/> for a path that could mean another path once an upstream normalises it.
    /// </summary>
    public int Match(ReadOnlySpan<char> method, ReadOnlySpan<char> pathAndQuery)
    {
        var end = pathAndQuery.IndexOfAny('?', '#');
        var path = end < 0 ? pathAndQuery : pathAndQuery[..end];
        if (path.IsEmpty || path[0] != '/' || IsAmbiguous(path))
        {
            return Refused;
        }

        path = path[1..];
        if (path.Length > 0 && path[^1] == '/')
        {
            path = path[..^1];
        }

        return Rules.Length == 0 ? NoMatch : Walk(_root, method, path);
    }

    private static int Walk(Node node, ReadOnlySpan<char> method, ReadOnlySpan<char> rest)
    {
        if (rest.IsEmpty)
        {
            var exact = node.Terminal?.Find(method) ?? NoMatch;
            return exact >= 0 ? exact : node.CatchAll?.Find(method) ?? NoMatch;
        }

        var slash = rest.IndexOf('/');
        var segment = slash < 0 ? rest : rest[..slash];
        var after = slash < 0 ? [] : rest[(slash + 1)..];
        if (segment.IsEmpty)
        {
            return NoMatch;
        }

        if (node.LiteralLookup is { } literals && literals.TryGetValue(segment, out var child))
        {
            var found = Walk(child, method, after);
            if (found >= 0)
            {
                return found;
            }
        }

        if (node.Parameter is { } parameter)
        {
            var found = Walk(parameter, method, after);
            if (found >= 0)
            {
                return found;
            }
        }

        return node.CatchAll?.Find(method) ?? NoMatch;
    }

    // Paths an upstream may resolve differently from us: dot segments, empty segments,
    // backslashes and encoded '/', '\' or '.'. They are refused rather than guessed at.
    private static bool IsAmbiguous(ReadOnlySpan<char> path)
    {
        if (path.Contains('\\') || path.Contains("//", StringComparison.Ordinal))
        {
            return true;
        }

        var percent = path.IndexOf('%');
        while (percent >= 0 && percent + 2 < path.Length)
        {
            var code = path.Slice(percent + 1, 2);
            if (code.Equals("2f", StringComparison.OrdinalIgnoreCase) || code.Equals("5c", StringComparison.OrdinalIgnoreCase)
                || code.Equals("2e", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var next = path[(percent + 1)..].IndexOf('%');
            percent = next < 0 ? -1 : percent + 1 + next;
        }

        foreach (var range in path.Split('/'))
        {
            if (path[range] is "." or "..")
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Node
    {
        public Dictionary<string, Node>? Literals { get; set; }

        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>>? LiteralLookup { get; private set; }

        public Node? Parameter { get; set; }

        public MethodTable? Terminal { get; set; }

        public MethodTable? CatchAll { get; set; }

        public void Freeze()
        {
            if (Literals is not null)
            {
                LiteralLookup = Literals.GetAlternateLookup<ReadOnlySpan<char>>();
                foreach (var child in Literals.Values)
                {
                    child.Freeze();
                }
            }

            Parameter?.Freeze();
        }
    }

    private sealed class MethodTable
    {
        private readonly List<(string Method, int Rule)> _methods = [];
        private int _any = NoMatch;

        public void Add(string method, int rule)
        {
            if (method == "*")
            {
                _any = rule;
            }
            else
            {
                _methods.Add((method, rule));
            }
        }

        public int Find(ReadOnlySpan<char> method)
        {
            foreach (var (name, rule) in _methods)
            {
                if (method.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return rule;
                }
            }

            return _any;
        }
    }
}
