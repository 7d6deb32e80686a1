namespace Probabilistic.Plots.Rendering;

/// <summary>Splits a polyline into the "on" pieces of a dash pattern (for back ends without native dashing).</summary>
public static class Dashes
{
    /// <summary>The visible pieces of <paramref name="points"/> under the on/off <paramref name="pattern"/> (lengths in pixels).</summary>
    public static List<List<PointD>> Split(IReadOnlyList<PointD> points, double[] pattern)
    {
        if (pattern.Length == 0 || pattern.Any(p => !(p > 0)))
            throw new ArgumentException($"Dashes.Split: pattern lengths must be > 0, got [{string.Join(", ", pattern)}].");
        var pieces = new List<List<PointD>>();
        int idx = 0;
        double left = pattern[0];
        bool on = true;
        List<PointD>? current = on ? [points[0]] : null;
        for (int i = 1; i < points.Count; i++)
        {
            PointD a = points[i - 1], b = points[i];
            double len = Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y));
            double pos = 0;
            while (len - pos > left)
            {
                pos += left;
                var p = new PointD(a.X + (b.X - a.X) * pos / len, a.Y + (b.Y - a.Y) * pos / len);
                if (on) { current!.Add(p); pieces.Add(current); current = null; }
                else current = [p];
                on = !on;
                idx = (idx + 1) % pattern.Length;
                left = pattern[idx];
            }
            left -= len - pos;
            current?.Add(b);
        }
        if (current is { Count: >= 2 }) pieces.Add(current);
        return pieces;
    }
}
