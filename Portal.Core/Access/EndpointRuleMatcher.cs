namespace Portal.Core.Access;

/// <summary>
/// An endpoint rule as the matcher holds it; <paramref name="Cost"/> is the quota credits a request it allows takes;
/// <paramref name="SignatureRequired"/>: a request it matches must be signed (RFC 9421).
/// </summary>
public sealed record CompiledRule(Guid Id, string Method, string Template, string Scope, int Cost = 1, bool SignatureRequired = false)
{
    /// <summary>The rule as the authentication log names it, <c>GET /orders/{id}</c>; made once, so a logged decision allocates nothing for it.</summary>
    public string Text { get; } = $"{Method} {Template}";

    /// <summary><see cref="Id"/> as text, made once for the authentication log.</summary>
    public string IdText { get; } = Id.ToString();
}

/// <summary>
/// An API's endpoint rules compiled into a tree of path segments. A canonical request path (see
/// <see cref="Apis.RequestTarget"/>) is walked segment by segment, trying a literal child first,
/// then a parameter, then a catch-all, so the most specific template wins at the first segment
/// where templates differ; at one template a rule for the exact method wins over one for any
/// method. Literal segments match case-insensitively unless the API asks for exact case. No
/// allocation per match.
/// </summary>
public sealed class EndpointRuleMatcher
{
    public const int NoMatch = -1;

    private readonly Node _root = new();

    private readonly StringComparer _literals;

    public EndpointRuleMatcher(IEnumerable<CompiledRule> rules, bool allowUnmatched, bool caseSensitive = false)
    {
        AllowUnmatched = allowUnmatched;
        _literals = caseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
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
                        node.Literals ??= new Dictionary<string, Node>(_literals);
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

    /// <summary>The API's choice for requests that match no rule: allow any valid key, or deny.</summary>
    public bool AllowUnmatched { get; }

    public CompiledRule[] Rules { get; }

    /// <summary>
    /// The index in <see cref="Rules"/> of the rule for this request, or <see cref="NoMatch"/>.
    /// <paramref name="method"/> and <paramref name="path"/> are canonical (<see cref="Apis.RequestTarget"/>):
    /// the path has no query and no empty or dot segments.
    /// </summary>
    public int Match(ReadOnlySpan<char> method, ReadOnlySpan<char> path)
    {
        if (Rules.Length == 0 || path.IsEmpty || path[0] != '/')
        {
            return NoMatch;
        }

        path = path[1..];
        if (path.Length > 0 && path[^1] == '/')
        {
            path = path[..^1];
        }

        return Walk(_root, method, path);
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
