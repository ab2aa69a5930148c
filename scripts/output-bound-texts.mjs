// Output-like texts the output bound's margin is measured on (scripts/measure-output-bound.mjs).
export const TEXTS = {
  en: 'The quick brown fox jumps over the lazy dog. In summary, the quarterly results exceeded expectations: revenue grew 12% year over year, driven by strong demand in the enterprise segment, while operating costs remained flat.',
  de: 'Bitte fasse zusammen: Die Straßenbahn fährt über die Brücke nach Köln. Die Geschwindigkeitsbegrenzung auf der Autobahn wurde überraschenderweise aufgehoben, woraufhin die Verkehrsteilnehmer verständlicherweise verunsichert reagierten.',
  zh: '今天天气很好，我们去公园散步吧。北京是中华人民共和国的首都，也是全国的政治、文化和国际交往中心。人工智能技术正在迅速发展，改变着我们的生活方式。',
  zhjson:
    '{"name":"王小明","city":"北京","age":42,"occupation":"软件工程师","hobbies":["书法","围棋","旅行"],"address":{"province":"广东省","district":"南山区"}}',
  ja: '東京は日本の首都であり、世界有数の大都市です。桜の季節には多くの観光客が訪れ、上野公園や千鳥ヶ淵は花見客でにぎわいます。',
  ko: '서울은 대한민국의 수도이며 정치, 경제, 문화의 중심지입니다. 한강을 따라 많은 공원이 있어 시민들이 휴식을 즐깁니다.',
  ru: 'Москва является столицей Российской Федерации и крупнейшим городом страны. Зимой температура часто опускается ниже двадцати градусов мороза.',
  ar: 'القاهرة هي عاصمة جمهورية مصر العربية وأكبر مدنها، وتقع على ضفاف نهر النيل، وتعد من أقدم المدن في العالم.',
  hi: 'भारत एक विशाल देश है जिसकी संस्कृति बहुत प्राचीन और समृद्ध है। नई दिल्ली भारत की राजधानी है और यहाँ अनेक ऐतिहासिक इमारतें हैं।',
  gu: 'ગુજરાત ભારતના પશ્ચિમ ભાગમાં આવેલું એક રાજ્ય છે. અમદાવાદ ગુજરાતનું સૌથી મોટું શહેર છે અને ગાંધીનગર તેની રાજધાની છે.',
  ta: 'தமிழ்நாடு இந்தியாவின் தென்பகுதியில் அமைந்துள்ள ஒரு மாநிலம். சென்னை அதன் தலைநகரம் ஆகும்.',
  th: 'กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย และเป็นศูนย์กลางทางเศรษฐกิจและวัฒนธรรมที่สำคัญ',
  py: 'def fibonacci(n: int) -> list[int]:\n    """Return the first n Fibonacci numbers."""\n    result = [0, 1]\n    while len(result) < n:\n        result.append(result[-1] + result[-2])\n    return result[:n]\n\n\nif __name__ == "__main__":\n    for i, x in enumerate(fibonacci(10)):\n        print(f"{i:>3}: {x}")\n',
  ts: 'export async function fetchUsers(client: HttpClient): Promise<User[]> {\n\tconst res = await client.get<{ users: User[] }>(`/api/v1/users?limit=${LIMIT}`);\n\tif (!res.ok) {\n\t\tthrow new Error(`HTTP ${res.status}: ${res.statusText}`);\n\t}\n\treturn res.body.users.filter((u) => u.active && !u.deleted);\n}\n',
  json: '{"id":"a1b2c3d4","items":[{"sku":"X-1001","qty":2,"price":19.99},{"sku":"Y-2002","qty":1,"price":5.5}],"total":45.48,"currency":"EUR","paid":true}',
  md: '| Name | Age | City |\n|------|-----|------|\n| Anna | 31 | Berlin |\n| Li Wei | 28 | 上海 |\n\n- item one\n- item two\n\n```bash\nls -la /var/log\n```\n',
  nums: '3.14159265358979323846264338327950288419716939937510 58209749445923078164062862089986280348253421170679',
  emoji: 'Great job! 🎉🎉🎉 See you soon 👋😀 — Have a nice day ☀️🌈✨',
  hex: 'sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 uuid 3fa85f64-5717-4562-b3fc-2c963f66afa6',
  ws:
    'x = 1' +
    ' '.repeat(40) +
    '# aligned comment\n' +
    '\t\t\t\treturn\n' +
    '-'.repeat(60) +
    '\n' +
    '='.repeat(80) +
    '\n',
  b64: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
};
