#include "ui/views/record_html.h"

#include <QStringList>

#include "core/data/record.h"

namespace amalgam {

QString htmlText(const std::string& text) { return QString::fromStdString(text).toHtmlEscaped().replace('\n', "<br>"); }

QString promptHtml(const Prompt& p) {
    QString out = QString("<p><b>%1</b> &middot; %2</p>").arg(htmlText(p.source_id), to_string(p.supervision));
    for (const Turn& t : p.context) out += QString("<p><i>%1:</i> %2</p>").arg(htmlText(t.role), htmlText(t.text));
    out += QString("<h4>Prompt</h4><p>%1</p>").arg(htmlText(p.text));
    for (std::size_t a = 0; a < p.responses.size(); ++a) {
        QStringList labels;
        for (const auto& [name, value] : p.responses[a].labels) labels << QString("%1 = %2").arg(htmlText(name)).arg(value, 0, 'g', 4);
        out += QString("<h4>Answer %1%2</h4><p>%3</p>")
                   .arg(a + 1)
                   .arg(labels.isEmpty() ? QString() : " <small>(" + labels.join(", ") + ")</small>")
                   .arg(htmlText(p.responses[a].text));
    }
    return out;
}

}  // namespace amalgam
