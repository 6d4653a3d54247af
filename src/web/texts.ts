/** Languages the respondent page, posters and letters are written in; English is the fallback. */
export const LANGUAGES = ['en', 'pl', 'ka', 'uk', 'ru'] as const;

/** One of {@link LANGUAGES}. */
export type Lang = (typeof LANGUAGES)[number];

/** Each language named in itself, so a reader finds their own language without knowing ours. */
export const LANGUAGE_NAMES: Record<Lang, string> = {
  en: 'English',
  pl: 'Polski',
  ka: 'ქართული',
  uk: 'Українська',
  ru: 'Русский',
};

const en = {
  scanToAnswer: 'Scan the code with your phone camera to answer',
  orOpenLink: 'or open',
  openFromTo: 'Open from {from} to {to}',
  openFrom: 'Open from {from}',
  languagesLine: 'Languages: {list}',
  privacy:
    'Anonymous: we do not record your name, address or IP address. Results are published only in aggregate.',
  letterGreeting: 'Dear resident,',
  letterBody:
    'We would like to know how satisfied you are with the management of your building. Your personal code below can be used once.',
  letterDwelling: 'Dwelling: {label}',
  letterCode: 'Your code: {code}',
  closed: 'This survey has closed. Thank you for your interest.',
  notYetOpen: 'This survey opens on {date}.',
  full: 'This survey has received all the answers it needed. Thank you.',
  notFound: 'We could not find this survey. Please check the link.',
  thankYou: 'Thank you! Your answers have been saved.',
  savedOffline:
    'No connection right now. Your answers are saved on this phone and will be sent automatically when you are back online.',
  sending: 'Sending your answers…',
  retrying: 'Still trying to send your answers…',
  rejected: 'Your answers could not be accepted: {reason}',
  tokenUsed: 'This personal code has already been used.',
  inviteRequired: 'This survey needs the personal code from your letter.',
  language: 'Language',
  resumeNotice: 'We restored the answers you started earlier.',
  answerTooLarge: 'These answers are too large to store.',
  answerTooDeep: 'This answer is nested too deeply.',
  answerTooLong: 'This answer is too long (at most {max} characters).',
  answerInvalid: 'This is not a valid answer to this question.',
  answerUnknownKey: 'This survey has no such question.',
  answerHidden: 'This question is not asked given your other answers; please check them.',
  answerNotAChoice: 'Please choose one of the options offered.',
  answerNotPartOfAnswer: 'This is not part of a valid answer to this question.',
  answerNumber: 'Please enter a number.',
  answerText: 'Please enter text.',
  answerFileType: 'Files of this type ({type}) cannot be sent.',
  answerFileTooLarge: 'This file is too large (at most {max} bytes).',
  answerFilesTooLarge: 'The files together are too large (at most {max} bytes).',
};

/** Name of a short text; the English table is the reference every other language must match. */
export type TextKey = keyof typeof en;

const pl: Record<TextKey, string> = {
  scanToAnswer: 'Prosimy zeskanować kod aparatem telefonu, aby odpowiedzieć',
  orOpenLink: 'lub otworzyć',
  openFromTo: 'Ankieta dostępna od {from} do {to}',
  openFrom: 'Ankieta dostępna od {from}',
  languagesLine: 'Języki: {list}',
  privacy:
    'Ankieta jest anonimowa: nie zapisujemy imienia i nazwiska, adresu ani adresu IP. Wyniki publikujemy wyłącznie w formie zbiorczej.',
  letterGreeting: 'Szanowni Państwo,',
  letterBody:
    'Chcielibyśmy się dowiedzieć, na ile są Państwo zadowoleni z zarządzania budynkiem. Podany poniżej kod osobisty można wykorzystać tylko raz.',
  letterDwelling: 'Lokal: {label}',
  letterCode: 'Kod osobisty: {code}',
  closed: 'Ankieta została zakończona. Dziękujemy za zainteresowanie.',
  notYetOpen: 'Ankieta będzie dostępna od {date}.',
  full: 'Ankieta zebrała już wszystkie potrzebne odpowiedzi. Dziękujemy.',
  notFound: 'Nie udało się znaleźć tej ankiety. Prosimy sprawdzić link.',
  thankYou: 'Dziękujemy! Odpowiedzi zostały zapisane.',
  savedOffline:
    'Brak połączenia z internetem. Odpowiedzi są zapisane w tym telefonie i zostaną wysłane automatycznie, gdy połączenie wróci.',
  sending: 'Wysyłanie odpowiedzi…',
  retrying: 'Wciąż próbujemy wysłać odpowiedzi…',
  rejected: 'Nie można przyjąć odpowiedzi: {reason}',
  tokenUsed: 'Ten kod osobisty został już wykorzystany.',
  inviteRequired: 'Do tej ankiety potrzebny jest kod osobisty z otrzymanego listu.',
  language: 'Język',
  resumeNotice: 'Przywróciliśmy wcześniej rozpoczęte odpowiedzi.',
  answerTooLarge: 'Te odpowiedzi są zbyt duże, aby je zapisać.',
  answerTooDeep: 'Ta odpowiedź jest zbyt głęboko zagnieżdżona.',
  answerTooLong: 'Ta odpowiedź jest za długa (maksymalna liczba znaków: {max}).',
  answerInvalid: 'To nie jest prawidłowa odpowiedź na to pytanie.',
  answerUnknownKey: 'W tej ankiecie nie ma takiego pytania.',
  answerHidden: 'To pytanie nie jest zadawane przy pozostałych odpowiedziach; prosimy je sprawdzić.',
  answerNotAChoice: 'Prosimy wybrać jedną z podanych odpowiedzi.',
  answerNotPartOfAnswer: 'To nie jest część prawidłowej odpowiedzi na to pytanie.',
  answerNumber: 'Prosimy wpisać liczbę.',
  answerText: 'Prosimy wpisać tekst.',
  answerFileType: 'Nie można wysłać plików tego typu ({type}).',
  answerFileTooLarge: 'Ten plik jest za duży (maksymalny rozmiar w bajtach: {max}).',
  answerFilesTooLarge: 'Pliki razem są za duże (maksymalny łączny rozmiar w bajtach: {max}).',
};

const ka: Record<TextKey, string> = {
  scanToAnswer: 'პასუხის გასაცემად დაასკანერეთ კოდი ტელეფონის კამერით',
  orOpenLink: 'ან გახსენით',
  openFromTo: 'გამოკითხვა ხელმისაწვდომია {from}-დან {to}-მდე',
  openFrom: 'გამოკითხვა ხელმისაწვდომია {from}-დან',
  languagesLine: 'ენები: {list}',
  privacy:
    'ანონიმურია: ჩვენ არ ვინახავთ თქვენს სახელს, მისამართს ან IP მისამართს. შედეგები ქვეყნდება მხოლოდ შეჯამებული სახით.',
  letterGreeting: 'პატივცემულო მაცხოვრებელო,',
  letterBody:
    'გვსურს გავიგოთ, რამდენად კმაყოფილი ხართ თქვენი შენობის მართვით. ქვემოთ მოცემული პირადი კოდის გამოყენება მხოლოდ ერთხელ შეიძლება.',
  letterDwelling: 'ბინა: {label}',
  letterCode: 'თქვენი კოდი: {code}',
  closed: 'ეს გამოკითხვა დასრულებულია. გმადლობთ ინტერესისთვის.',
  notYetOpen: 'გამოკითხვა ხელმისაწვდომი იქნება {date}-დან.',
  full: 'გამოკითხვამ უკვე შეაგროვა ყველა საჭირო პასუხი. გმადლობთ.',
  notFound: 'ეს გამოკითხვა ვერ მოიძებნა. გთხოვთ, შეამოწმოთ ბმული.',
  thankYou: 'გმადლობთ! თქვენი პასუხები შენახულია.',
  savedOffline:
    'ახლა ინტერნეტთან კავშირი არ არის. თქვენი პასუხები შენახულია ამ ტელეფონში და ავტომატურად გაიგზავნება, როცა კავშირი აღდგება.',
  sending: 'პასუხები იგზავნება…',
  retrying: 'კვლავ ვცდილობთ პასუხების გაგზავნას…',
  rejected: 'თქვენი პასუხების მიღება ვერ მოხერხდა: {reason}',
  tokenUsed: 'ეს პირადი კოდი უკვე გამოყენებულია.',
  inviteRequired: 'ამ გამოკითხვისთვის საჭიროა პირადი კოდი თქვენი წერილიდან.',
  language: 'ენა',
  resumeNotice: 'აღვადგინეთ პასუხები, რომელთა შევსებაც ადრე დაიწყეთ.',
  answerTooLarge: 'ეს პასუხები შესანახად ძალიან დიდია.',
  answerTooDeep: 'ეს პასუხი ზედმეტად ღრმად არის ჩადგმული.',
  answerTooLong: 'ეს პასუხი ძალიან გრძელია (მაქსიმუმ {max} სიმბოლო).',
  answerInvalid: 'ეს არ არის ამ კითხვის დასაშვები პასუხი.',
  answerUnknownKey: 'ამ გამოკითხვაში ასეთი კითხვა არ არის.',
  answerHidden: 'თქვენი სხვა პასუხების გათვალისწინებით ეს კითხვა არ ისმება; გთხოვთ, გადაამოწმოთ ისინი.',
  answerNotAChoice: 'გთხოვთ, აირჩიოთ შემოთავაზებული ვარიანტებიდან ერთ-ერთი.',
  answerNotPartOfAnswer: 'ეს არ არის ამ კითხვის დასაშვები პასუხის ნაწილი.',
  answerNumber: 'გთხოვთ, შეიყვანოთ რიცხვი.',
  answerText: 'გთხოვთ, შეიყვანოთ ტექსტი.',
  answerFileType: 'ამ ტიპის ({type}) ფაილების გაგზავნა შეუძლებელია.',
  answerFileTooLarge: 'ეს ფაილი ძალიან დიდია (მაქსიმუმ {max} ბაიტი).',
  answerFilesTooLarge: 'ფაილები ერთად ძალიან დიდია (მაქსიმუმ {max} ბაიტი).',
};

const uk: Record<TextKey, string> = {
  scanToAnswer: 'Відскануйте код камерою телефону, щоб відповісти',
  orOpenLink: 'або відкрийте',
  openFromTo: 'Опитування триває з {from} до {to}',
  openFrom: 'Опитування триває з {from}',
  languagesLine: 'Мови: {list}',
  privacy:
    'Анонімно: ми не зберігаємо ваше ім’я, адресу чи IP-адресу. Результати публікуються лише в узагальненому вигляді.',
  letterGreeting: 'Шановні мешканці,',
  letterBody:
    'Ми хотіли б дізнатися, наскільки ви задоволені управлінням вашим будинком. Наведений нижче особистий код можна використати лише один раз.',
  letterDwelling: 'Помешкання: {label}',
  letterCode: 'Ваш код: {code}',
  closed: 'Опитування завершено. Дякуємо за ваш інтерес.',
  notYetOpen: 'Опитування розпочнеться {date}.',
  full: 'Опитування вже зібрало всі потрібні відповіді. Дякуємо.',
  notFound: 'Не вдалося знайти це опитування. Перевірте, будь ласка, посилання.',
  thankYou: 'Дякуємо! Ваші відповіді збережено.',
  savedOffline:
    'Зараз немає з’єднання. Ваші відповіді збережено на цьому телефоні, їх буде надіслано автоматично, щойно з’явиться зв’язок.',
  sending: 'Надсилаємо ваші відповіді…',
  retrying: 'Досі намагаємося надіслати ваші відповіді…',
  rejected: 'Ваші відповіді не вдалося прийняти: {reason}',
  tokenUsed: 'Цей особистий код уже використано.',
  inviteRequired: 'Для цього опитування потрібен особистий код із вашого листа.',
  language: 'Мова',
  resumeNotice: 'Ми відновили відповіді, які ви почали заповнювати раніше.',
  answerTooLarge: 'Ці відповіді завеликі, щоб їх зберегти.',
  answerTooDeep: 'Ця відповідь має надто глибоку вкладеність.',
  answerTooLong: 'Ця відповідь задовга (максимальна кількість символів: {max}).',
  answerInvalid: 'Це недійсна відповідь на це запитання.',
  answerUnknownKey: 'У цьому опитуванні немає такого запитання.',
  answerHidden: 'З огляду на ваші інші відповіді це запитання не ставиться; будь ласка, перевірте їх.',
  answerNotAChoice: 'Будь ласка, виберіть один із запропонованих варіантів.',
  answerNotPartOfAnswer: 'Це не частина допустимої відповіді на це запитання.',
  answerNumber: 'Будь ласка, введіть число.',
  answerText: 'Будь ласка, введіть текст.',
  answerFileType: 'Файли такого типу ({type}) не можна надіслати.',
  answerFileTooLarge: 'Цей файл завеликий (максимальний розмір у байтах: {max}).',
  answerFilesTooLarge: 'Файли разом завеликі (максимальний загальний розмір у байтах: {max}).',
};

const ru: Record<TextKey, string> = {
  scanToAnswer: 'Отсканируйте код камерой телефона, чтобы ответить',
  orOpenLink: 'или откройте',
  openFromTo: 'Опрос открыт с {from} по {to}',
  openFrom: 'Опрос открыт с {from}',
  languagesLine: 'Языки: {list}',
  privacy:
    'Анонимно: мы не сохраняем ваше имя, адрес или IP-адрес. Результаты публикуются только в обобщённом виде.',
  letterGreeting: 'Уважаемые жильцы,',
  letterBody:
    'Мы хотели бы узнать, насколько вы довольны управлением вашим домом. Указанный ниже личный код можно использовать только один раз.',
  letterDwelling: 'Помещение: {label}',
  letterCode: 'Ваш код: {code}',
  closed: 'Опрос завершён. Спасибо за интерес.',
  notYetOpen: 'Опрос откроется {date}.',
  full: 'Опрос уже собрал все необходимые ответы. Спасибо.',
  notFound: 'Не удалось найти этот опрос. Пожалуйста, проверьте ссылку.',
  thankYou: 'Спасибо! Ваши ответы сохранены.',
  savedOffline:
    'Сейчас нет связи. Ваши ответы сохранены на этом телефоне и будут отправлены автоматически, когда связь восстановится.',
  sending: 'Отправляем ваши ответы…',
  retrying: 'Всё ещё пытаемся отправить ваши ответы…',
  rejected: 'Ваши ответы не удалось принять: {reason}',
  tokenUsed: 'Этот личный код уже использован.',
  inviteRequired: 'Для этого опроса нужен личный код из вашего письма.',
  language: 'Язык',
  resumeNotice: 'Мы восстановили ответы, которые вы начали заполнять ранее.',
  answerTooLarge: 'Эти ответы слишком велики, чтобы их сохранить.',
  answerTooDeep: 'Этот ответ слишком глубоко вложен.',
  answerTooLong: 'Этот ответ слишком длинный (не более {max} символов).',
  answerInvalid: 'Это недопустимый ответ на этот вопрос.',
  answerUnknownKey: 'В этом опросе нет такого вопроса.',
  answerHidden: 'С учётом ваших других ответов этот вопрос не задаётся; пожалуйста, проверьте их.',
  answerNotAChoice: 'Пожалуйста, выберите один из предложенных вариантов.',
  answerNotPartOfAnswer: 'Это не часть допустимого ответа на этот вопрос.',
  answerNumber: 'Пожалуйста, введите число.',
  answerText: 'Пожалуйста, введите текст.',
  answerFileType: 'Файлы этого типа ({type}) нельзя отправить.',
  answerFileTooLarge: 'Этот файл слишком большой (не более {max} байт).',
  answerFilesTooLarge: 'Файлы вместе слишком большие (не более {max} байт).',
};

const TABLES: Record<Lang, Readonly<Record<TextKey, string>>> = { en, pl, ka, uk, ru };

/** True when `lang` is one of the languages we have texts for. */
export function isLang(lang: string): lang is Lang {
  return (LANGUAGES as readonly string[]).includes(lang);
}

/**
 * The language to use for a requested tag: `pl-PL` and `PL` both mean Polish, since browsers and
 * campaign settings disagree on case and region; anything unknown falls back to English.
 */
export function resolveLang(lang: string): Lang {
  const primary = lang.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return isLang(primary) ? primary : 'en';
}

/** Every text of a language at once (English when unknown), e.g. to ship to the respondent page. */
export function textsFor(lang: string): Readonly<Record<TextKey, string>> {
  return TABLES[resolveLang(lang)];
}

/**
 * A short UI text in `lang` (English when the language is unknown), with `{name}` placeholders filled
 * from `vars`. A placeholder without a value is left as written, so a missing variable shows up in
 * review instead of silently disappearing.
 */
export function t(lang: string, key: TextKey, vars?: Record<string, string>): string {
  const template = TABLES[resolveLang(lang)][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? (vars[name] as string) : whole,
  );
}
