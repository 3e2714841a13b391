import { describe, expect, it } from "vitest";
import { linkPieces, safeHref } from "../src/lib/markdown";

describe("linkPieces", () => {
  it("splits text around http(s) links", () => {
    expect(linkPieces("See [the paper](https://arxiv.org/abs/2210.07316) for details.")).toEqual([
      { text: "See " },
      { text: "the paper", href: "https://arxiv.org/abs/2210.07316" },
      { text: " for details." },
    ]);
  });

  it("keeps text without links whole", () => {
    expect(linkPieces("A benchmark of 56 tasks.")).toEqual([{ text: "A benchmark of 56 tasks." }]);
    expect(linkPieces("")).toEqual([]);
  });

  it("leaves script and data URLs as plain text", () => {
    for (const url of ["javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:msgbox", "/relative/path"]) {
      const pieces = linkPieces(`[click](${url})`);
      expect(pieces).toEqual([{ text: `[click](${url})` }]);
      expect(pieces.every((p) => p.href === undefined)).toBe(true);
    }
  });

  it("never turns markup into anything but text", () => {
    const text = '<img src=x onerror=alert(1)> and [<b>bold</b>](http://example.org/"onmouseover=x)';
    const pieces = linkPieces(text);
    expect(pieces.map((p) => p.text).join("")).toContain("<img src=x onerror=alert(1)>");
    const link = pieces.find((p) => p.href);
    expect(link?.text).toBe("<b>bold</b>");
    expect(link?.href).toBe("http://example.org/%22onmouseover=x"); // URL-encoded by URL()
  });

  it("finds several links", () => {
    const pieces = linkPieces("[a](http://a.org) and [b](https://b.org/x)");
    expect(pieces.filter((p) => p.href).map((p) => p.href)).toEqual(["http://a.org/", "https://b.org/x"]);
  });
});

describe("safeHref", () => {
  it("accepts only absolute http and https URLs", () => {
    expect(safeHref("https://huggingface.co/datasets/mteb/stsb")).toBe("https://huggingface.co/datasets/mteb/stsb");
    expect(safeHref("HTTP://EXAMPLE.ORG")).toBe("http://example.org/");
    expect(safeHref("javascript:alert(1)")).toBeUndefined();
    expect(safeHref("not a url")).toBeUndefined();
  });
});
